package bot

import (
	"regexp"
	"strings"
)

// discordMarkupRE matches Discord's mention and emoji syntax: user mentions (<@id>,
// <@!id>), role mentions (<@&id>), channel mentions (<#id>), slash command mentions
// (</name:id>), custom emoji (<:name:id>, <a:name:id>); and everyoneRE matches
// @everyone and @here as words (not the "@here" of an e-mail address), keeping the
// character before them in $1.
var (
	discordMarkupRE = regexp.MustCompile(`<(?:@[!&]?|#)\d+>|</[\w -]{1,100}:\d+>|<a?:\w{1,64}:\d+>`)
	everyoneRE      = regexp.MustCompile(`(^|[^\w.@])@(?:everyone|here)\b`)
)

// stripMentions removes Discord's mention and emoji syntax from a question before it is
// asked: the words are no part of the question, but they change what retrieval matches
// (the question "… boycott of Qatar? @everyone <@&555>" was declined while the same
// question without them was answered), and ids of people and roles do not belong in
// the logs. Runs of blanks left behind are closed up.
func stripMentions(s string) string {
	if !strings.ContainsAny(s, "<@") {
		return s
	}
	s = discordMarkupRE.ReplaceAllString(s, " ")
	s = everyoneRE.ReplaceAllString(s, "$1 ")
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.Join(strings.Fields(l), " ")
	}
	return strings.TrimSpace(strings.Join(lines, "\n"))
}
