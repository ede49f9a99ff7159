// Package seeds embeds Falaj's default corpus: four articles on Oman's diplomacy.
//
// Each file starts with a front-matter block between two "---" lines (title, author,
// outlet, optional date and note, and the name of the raw file it came from); the article
// text follows unchanged.
package seeds

import "embed"

// FS holds the seed articles (*.txt) at its root.
//
//go:embed *.txt
var FS embed.FS
