package mqtt

// Rules a Malformed event names: what the server's bytes broke.
const (
	ruleText          = "MQTT over WebSocket is binary messages only (MQTT 3.1.1 §6)"
	ruleLength        = "remaining length longer than 4 bytes (§2.2.3)"
	ruleTooLong       = "packet longer than 1 MiB (stormbench's limit)"
	ruleFirst         = "first packet not CONNACK (§3.2)"
	ruleFlags         = "reserved fixed-header flags set (§2.2.2)"
	ruleClientPacket  = "packet type only a client sends"
	ruleReserved      = "reserved packet type (§2.2.1)"
	ruleShort         = "packet shorter than its fields"
	ruleSecondConnack = "second CONNACK on one connection (§3.2)"
	ruleConnackFlags  = "CONNACK acknowledge flags 1-7 set (§3.2.2.1)"
	ruleSessionClean  = "session present after a clean-session CONNECT (§3.2.2.2)"
	ruleQoS3          = "PUBLISH with QoS 3 (§3.3.1.2)"
	ruleQoS2          = "QoS 2 PUBLISH on a QoS 0 or 1 subscription (§3.8.4)"
	rulePacketID      = "packet identifier 0 (§2.3.1)"
	ruleSuback        = "SUBACK for a packet identifier the client did not use (§3.9.2)"
	ruleSubackCount   = "SUBACK return codes unlike the SUBSCRIBE's topic filters in number (§3.9.3)"
	ruleSubackCode    = "SUBACK return code not 0x00-0x02 or 0x80 (§3.9.3)"
	ruleProperties    = "MQTT 5 properties broken or longer than the packet (MQTT 5 §2.2.2)"
)
