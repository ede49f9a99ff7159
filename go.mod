module github.com/falaj-bot/falaj

go 1.26.8
