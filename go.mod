module github.com/falaj-bot/falaj

go 1.26.8

require (
	github.com/philippgille/chromem-go v0.7.0
	github.com/sashabaranov/go-openai v1.43.0
)
