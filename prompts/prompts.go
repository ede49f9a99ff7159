// Package prompts holds Falaj's fixed texts as template files: the LLM prompts and the
// sentences of the extractive answerer. They are embedded in the binary; edit the .tmpl
// files, not Go strings.
package prompts

import "embed"

// FS holds the *.tmpl files at its root.
//
//go:embed *.tmpl
var FS embed.FS
