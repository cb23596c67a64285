package centrifuge

// Reconnect advice, as centrifuge-js applies it.

// disconnectReconnect is what a disconnect code says about reconnecting:
// Centrifugo's codes 3500-3999 and 4500-4999 are terminal (the client
// stops), every other code asks for a reconnect (3000-3499 are the
// server's own — 3001 shutdown, 3012 no pong, …; 4000-4499 an
// application's).
func disconnectReconnect(code int64) int8 {
	if code >= 3500 && code < 4000 || code >= 4500 && code < 5000 {
		return -1
	}
	return 1
}

// errorReconnect is what an error reply to the connect or subscribe
// command says: the client tries again (reconnects, or subscribes again)
// after a temporary error, an error code below 100 (a transport's) and
// 109 token expired (with a new token); any other error is final.
func errorReconnect(code int64, temporary bool) int8 {
	if temporary || code < 100 || code == 109 {
		return 1
	}
	return -1
}

// unsubscribeReconnect is what an unsubscribe push says: codes from 2500
// make centrifuge-js subscribe again, codes below end the subscription.
func unsubscribeReconnect(code int64) int8 {
	if code >= 2500 {
		return 1
	}
	return -1
}
