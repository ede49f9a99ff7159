package bot

import "testing"

func TestStripMentions(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ name, in, want string }{
		{"plain question stays", "Why is Oman trusted?", "Why is Oman trusted?"},
		{"everyone and a role", "What did Oman do during the Arab boycott of Qatar? @everyone please ping <@&555>",
			"What did Oman do during the Arab boycott of Qatar? please ping"},
		{"users, nickname form, channels", "<@123> ask <@!456> in <#789> about Yemen", "ask in about Yemen"},
		{"here", "@here who mediated?", "who mediated?"},
		{"custom and animated emoji", "Why Oman <:falaj:1234567> <a:wave:42>?", "Why Oman ?"},
		{"slash command mention", "see </ask:99> for Iran", "see for Iran"},
		{"lines are kept", "<@1> first line\n<@&2> second", "first line\nsecond"},
		{"an e-mail address and brackets stay", "mail me@here.com <3 <b>", "mail me@here.com <3 <b>"},
		{"words starting with everyone stay", "@everyones favourite", "@everyones favourite"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := stripMentions(tt.in); got != tt.want {
				t.Errorf("stripMentions(%q) = %q; want %q", tt.in, got, tt.want)
			}
		})
	}
}
