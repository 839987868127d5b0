package cni

import (
	"errors"

	"nsbox/internal/json"
)

// Error codes of the spec ("Error" in SPEC.md); 100 and above are the
// plugin's own.
const (
	ErrUnknown                     = 0
	ErrIncompatibleCNIVersion      = 1
	ErrUnsupportedField            = 2
	ErrUnknownContainer            = 3
	ErrInvalidEnvironmentVariables = 4
	ErrIOFailure                   = 5
	ErrDecodingFailure             = 6
	ErrInvalidNetworkConfig        = 7
	ErrInvalidNetNS                = 8
	ErrTryAgainLater               = 11
	ErrPluginNotAvailable          = 50
	ErrLimitedConnectivity         = 51
	ErrInternal                    = 999
)

// Error is the spec's error object. A plugin function returns one to
// choose the code; any other error is reported as ErrInternal (999), its
// text as msg, as the reference plugins do.
type Error struct {
	Code    uint
	Msg     string
	Details string
}

// Errorf builds an *Error with code.
func Errorf(code uint, msg, details string) *Error {
	return &Error{Code: code, Msg: msg, Details: details}
}

func (e *Error) Error() string {
	if e.Details != "" {
		return e.Msg + "; " + e.Details
	}
	return e.Msg
}

// asError turns any error into the spec's object (999 unless it is one).
func asError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Code: ErrInternal, Msg: err.Error()}
}

// JSON is the error object as the reference prints it (json.MarshalIndent
// of types.Error: code, msg, details when not empty).
func (e *Error) JSON() json.Value {
	v := json.Obj(json.Member{Key: "code", Value: json.Int(int64(e.Code))}, json.Member{Key: "msg", Value: json.Str(e.Msg)})
	if e.Details != "" {
		v.Set("details", json.Str(e.Details))
	}
	return v
}

// ParseError reads an error object printed by another plugin (a
// delegated IPAM plugin that failed).
func ParseError(b []byte) (*Error, bool) {
	v, err := json.Parse(b)
	if err != nil || v.Kind() != json.Object {
		return nil, false
	}
	code, err := v.Get("code").Int64()
	if err != nil || code < 0 {
		return nil, false
	}
	return &Error{Code: uint(code), Msg: v.Get("msg").Text(), Details: v.Get("details").Text()}, true
}
