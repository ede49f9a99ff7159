package bot_test

import (
	"flag"
	"os"
	"strconv"
	"testing"
)

// minParallel is how many of the bot's tests run at once unless -parallel says otherwise.
const minParallel = 8

// TestMain runs the bot's tests at least minParallel at a time unless -parallel is given.
// Most of a test's time is spent waiting, not computing: discordgo's Session.Close
// sleeps 1 s after the close frame, so each bot a test starts costs a second of wall
// time. With the default -parallel (GOMAXPROCS, 2 on a small CI machine) the package
// took about 17 s; 8 at once keeps it to a few seconds without more CPU.
func TestMain(m *testing.M) {
	flag.Parse()
	explicit := false
	flag.Visit(func(f *flag.Flag) { explicit = explicit || f.Name == "test.parallel" })
	if p := flag.Lookup("test.parallel"); p != nil && !explicit {
		if n, err := strconv.Atoi(p.Value.String()); err == nil && n < minParallel {
			p.Value.Set(strconv.Itoa(minParallel))
		}
	}
	os.Exit(m.Run())
}
