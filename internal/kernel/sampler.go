package kernel

import (
	"errors"
	"fmt"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// ProcNet is where the kernel publishes the network statistics of the
// reading process's network namespace.
const ProcNet = "/proc/net"

// Sampler reads the kernel's TCP usage: /proc/net/sockstat,
// /proc/net/sockstat6 and the TcpExt counters of /proc/net/netstat. It
// keeps the files open and rereads them from offset 0 into one reused
// buffer, so a Read costs three pread calls and no allocation; the kernel
// regenerates their contents on every read.
//
// The files describe the network namespace of the process that opened
// them (see the package documentation for which values are host-wide
// regardless). A Sampler is not safe for concurrent use.
type Sampler struct {
	files [3]sampledFile
	buf   []byte
}

type sampledFile struct {
	name  string
	fd    int // -1: not open
	parse func([]byte, *Sample)
}

// NewSampler opens the files under dir (normally ProcNet). Only sockstat is
// required: without sockstat6 or netstat their fields are absent from every
// Sample.
func NewSampler(dir string) (*Sampler, error) {
	s := &Sampler{
		files: [3]sampledFile{
			{name: "sockstat", fd: -1, parse: parseSockstat},
			{name: "sockstat6", fd: -1, parse: parseSockstat},
			{name: "netstat", fd: -1, parse: parseNetstat},
		},
		buf: make([]byte, 16<<10),
	}
	for i := range s.files {
		f := &s.files[i]
		p := filepath.Join(dir, f.name)
		fd, err := unix.Open(p, unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			if i == 0 {
				return nil, fmt.Errorf("kernel: open %s: %w", p, err)
			}
			continue
		}
		f.fd = fd
	}
	return s, nil
}

// Read fills dst with a new sample (fields the files lack are absent). A
// file that fails to read is named in the error and its fields are absent;
// the others are still read.
func (s *Sampler) Read(dst *Sample) error {
	dst.Reset()
	var errs error
	for i := range s.files {
		f := &s.files[i]
		if f.fd < 0 {
			continue
		}
		b, err := s.readAll(f.fd)
		if err != nil {
			errs = errors.Join(errs, fmt.Errorf("kernel: read %s: %w", f.name, err))
			continue
		}
		f.parse(b, dst)
	}
	return errs
}

// readAll rereads a whole file from offset 0 into s.buf, growing it (once)
// if the file is larger.
func (s *Sampler) readAll(fd int) ([]byte, error) {
	n := 0
	for {
		if n == len(s.buf) {
			s.buf = append(s.buf, make([]byte, len(s.buf))...)
		}
		m, err := unix.Pread(fd, s.buf[n:], int64(n))
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return nil, err
		}
		if m == 0 {
			return s.buf[:n], nil
		}
		n += m
	}
}

// Close releases the files.
func (s *Sampler) Close() error {
	var errs error
	for i := range s.files {
		if s.files[i].fd >= 0 {
			errs = errors.Join(errs, unix.Close(s.files[i].fd))
			s.files[i].fd = -1
		}
	}
	return errs
}
