package bot

// DefaultMaxPerUser is defaultMaxPerUser, for the external tests.
const DefaultMaxPerUser = defaultMaxPerUser
