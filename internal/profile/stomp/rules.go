package stomp

// Rules a Malformed event names: what the server's bytes broke.
const (
	ruleCommand       = "frame without a command line before its NUL (STOMP 1.2 Augmented BNF)"
	ruleHeader        = "header line without a colon, or a NUL before the blank line (STOMP 1.2 Augmented BNF)"
	ruleContentLength = "content-length not a decimal number of octets (STOMP 1.2 Header content-length)"
	ruleNUL           = "no NUL after content-length octets of body (STOMP 1.2 Header content-length)"
	ruleTooLong       = "frame longer than 1 MiB (stormbench's limit)"
	ruleFirst         = "first frame neither CONNECTED nor ERROR (STOMP 1.2 Connecting)"
	ruleSecond        = "second CONNECTED on one connection"
	ruleHeartbeat     = "heart-beat header not two numbers sx,sy (STOMP 1.2 Heart-beating)"
)
