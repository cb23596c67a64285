package profiletest

import "syscall"

// terminate is the signal a deploy stops a server with.
var terminate = syscall.SIGTERM
