package bot

// DefaultMaxPerUser is defaultMaxPerUser, for the external tests.
const DefaultMaxPerUser = defaultMaxPerUser

// MaxAnswerMessages and CutNote are maxAnswerMessages and cutNote, for the external tests.
const (
	MaxAnswerMessages = maxAnswerMessages
	CutNote           = cutNote
)
