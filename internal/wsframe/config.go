package wsframe

// Role says which end of the connection a Decoder reads for, which decides
// the masking rule of RFC 6455 §5.1: a server reads client frames, which
// must be masked; a client reads server frames, which must not be.
type Role uint8

// Roles.
const (
	// Client reads frames a server sent: they must not be masked.
	Client Role = iota
	// Server reads frames a client sent: they must be masked, and the
	// decoder unmasks them in place.
	Server
)

// Defaults a zero Config field stands for.
const (
	// DefaultMaxMessage is the largest message a zero Config.MaxMessage
	// accepts: 1 MiB, the bound stormbench always had on a frame.
	DefaultMaxMessage int64 = 1 << 20
	// DefaultKeep is the largest message a zero Config.Keep delivers whole;
	// stormbench's own messages are far smaller.
	DefaultKeep = 4096
)

// Config is what every Decoder of one kind of connection shares. It is
// read-only while decoders use it and is passed by pointer to each call,
// so that a decoder (one per connection, up to a million of them) does not
// carry it.
type Config struct {
	// Role is the side the decoder reads for.
	Role Role
	// MaxMessage is the largest message (the sum of its fragments'
	// lengths) accepted; a larger one breaks RuleMessageTooBig as soon as
	// the frame headers declare it, before any of it is buffered. Zero
	// means DefaultMaxMessage; a negative value means no limit.
	MaxMessage int64
	// Keep is the largest data message delivered whole (Handler.Message);
	// a longer one is validated, counted and dropped as it streams by and
	// reported with Handler.Skipped, so that it costs no memory. Zero means
	// DefaultKeep.
	Keep int
}

// maxMessage returns the effective MaxMessage.
func (c *Config) maxMessage() int64 {
	switch {
	case c.MaxMessage == 0:
		return DefaultMaxMessage
	case c.MaxMessage < 0:
		return 1<<63 - 1
	}
	return c.MaxMessage
}

// keep returns the effective Keep.
func (c *Config) keep() int64 {
	if c.Keep <= 0 {
		return DefaultKeep
	}
	return int64(c.Keep)
}
