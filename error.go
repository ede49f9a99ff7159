package falaj

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxQuestionRunes is the longest question Falaj accepts, in runes. Longer input is almost
// always a pasted document, which retrieval cannot use as a question.
const MaxQuestionRunes = 1000

// Errors for bad questions. Match them with errors.Is.
var (
	ErrEmptyQuestion   = errors.New("falaj: empty question")
	ErrQuestionTooLong = errors.New("falaj: question too long")
	// ErrNotFound is wrapped by lookups (a passage or document id) that find nothing.
	ErrNotFound = errors.New("falaj: not found")
)

// UserError is an error with a sentence meant for a person. Only Msg reaches people (the
// terminal, a Discord reply, the web page); Err is the cause, for the log.
type UserError struct {
	Msg string // a full sentence that names the problem and a way out
	Err error  // the cause; may be nil
}

// Error returns the message and the cause, for logs.
func (e *UserError) Error() string {
	if e.Err == nil {
		return e.Msg
	}
	return e.Msg + ": " + e.Err.Error()
}

// Unwrap returns the cause.
func (e *UserError) Unwrap() error { return e.Err }

// Userf wraps err with a message for people.
func Userf(err error, format string, args ...any) error {
	return &UserError{Msg: fmt.Sprintf(format, args...), Err: err}
}

// UserMessage returns the only text a front end shows a person for err: the message of
// the outermost UserError in its chain, or a fixed line that points to the log.
func UserMessage(err error) string {
	var ue *UserError
	if errors.As(err, &ue) {
		return ue.Msg
	}
	return "Something went wrong on our side; the details are in the log."
}

// IsUserError reports whether err carries a message for people (bad input rather than a
// fault of Falaj): front ends use it to pick exit codes and log levels.
func IsUserError(err error) bool {
	var ue *UserError
	return errors.As(err, &ue)
}

// CleanQuestion trims q and checks it is a question Falaj can take: not empty, not longer
// than MaxQuestionRunes, valid UTF-8. Control characters other than newlines and tabs are
// removed. The error is a *UserError wrapping ErrEmptyQuestion or ErrQuestionTooLong.
func CleanQuestion(q string) (string, error) {
	if !utf8.ValidString(q) {
		q = strings.ToValidUTF8(q, "\uFFFD")
	}
	q = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) && r != '\n' && r != '\t' {
			return -1
		}
		return r
	}, q)
	q = strings.TrimSpace(q)
	if q == "" {
		return "", &UserError{Msg: "Please ask a question: the text was empty.", Err: ErrEmptyQuestion}
	}
	if n := utf8.RuneCountInString(q); n > MaxQuestionRunes {
		return "", &UserError{
			Msg: fmt.Sprintf("That question is %d characters long; the limit is %d. Please ask something shorter.", n, MaxQuestionRunes),
			Err: ErrQuestionTooLong,
		}
	}
	return q, nil
}
