package main

import (
	"bufio"
	"strings"
	"testing"
)

func TestChatSkipsAnOverlongLine(t *testing.T) {
	// A 1.5 MiB paste, then a question: the paste is reported and skipped, and the
	// question after it is answered in the same session.
	in := strings.Repeat("x", 3<<19) + "\nWhat did Oman do during the Arab boycott of Qatar in 2017?\n/quit\n"
	out, errOut, code := runCLI(t, env("FALAJ_INDEX_DIR", "off"), in, "chat")
	if code != 0 {
		t.Fatalf("exit %d; stderr: %s", code, errOut)
	}
	turns := strings.Split(out, "\n> ")
	if len(turns) < 3 {
		t.Fatalf("want a prompt per line; got:\n%.2000s", out)
	}
	if !strings.Contains(turns[1], "That line was 1572865 bytes, over the 1048576-byte limit, so it was skipped") {
		t.Errorf("the over-long line was not reported:\n%.2000s", turns[1])
	}
	if !strings.Contains(turns[2], "Remained neutral; avoided participation") {
		t.Errorf("the question after the over-long line was not answered:\n%.2000s", turns[2])
	}
}

func TestReadLine(t *testing.T) {
	for _, tt := range []struct {
		name, in string
		want     []inputLine
	}{
		{"lines and CRLF", "a\r\nb\n", []inputLine{{text: "a"}, {text: "b"}}},
		{"last line without newline", "a\nb", []inputLine{{text: "a"}, {text: "b"}}},
		{"empty lines stay", "\n\na", []inputLine{{text: ""}, {text: ""}, {text: "a"}}},
		{"exactly the limit", strings.Repeat("y", 16) + "\n", []inputLine{{text: strings.Repeat("y", 16)}}},
		{"over the limit, then more", strings.Repeat("y", 17) + "\nok\n", []inputLine{{tooLong: 18}, {text: "ok"}}},
		{"far over the buffer", strings.Repeat("z", 100) + "\nok", []inputLine{{tooLong: 101}, {text: "ok"}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			br := bufio.NewReaderSize(strings.NewReader(tt.in), 16) // the smallest buffer bufio allows
			var got []inputLine
			for {
				l, err := readLine(br, 16)
				if err != nil {
					break
				}
				got = append(got, l)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("readLine over %q = %+v; want %+v", tt.in, got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("line %d of %q = %+v; want %+v", i+1, tt.in, got[i], tt.want[i])
				}
			}
		})
	}
}

func TestChatEndsItsOutputWithANewline(t *testing.T) {
	for _, in := range []string{"/quit\n", "/exit\n", ""} { // "": Ctrl-D at the prompt
		out, errOut, code := runCLI(t, env("FALAJ_INDEX_DIR", "off"), in, "chat")
		if code != 0 || !strings.HasSuffix(out, "\n> \n") {
			t.Errorf("chat with input %q: exit %d, stderr %q; stdout ends %q, want the prompt and a newline", in, code, errOut, out[max(0, len(out)-20):])
		}
	}
}
