// xmodref: the reference side of the differential test of remotegen's
// gorules (tests/integration/xmod.sh). It generates test names and sets of
// module files, and answers for them with Debian's golang.org/x/mod
// (golang-golang-x-mod-dev, built in GOPATH mode against /usr/share/gocode).
//
//	xmodref gen-paths N SEED > names   N names, NUL-terminated
//	xmodref gen-sets N SEED > sets     N sets: "count\n" then count NUL-terminated names
//	xmodref paths < names              one line per name: file import module verdicts (1 ok, 0 not)
//	xmodref files < sets               one line per set: what zip.CheckFiles flags
//	xmodref zips DIR < sets            one line per set: what zip.CheckZip flags in a zip of the set
//	xmodref runes                      per code point: hex, CheckFilePath verdict, fold class
//
// The output formats are the ones tests/tools/gorulestool.c prints, so that
// the two can be compared with cmp.
package main

import (
	"archive/zip"
	"bufio"
	"bytes"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"math/rand"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"

	"golang.org/x/mod/module"
	modzip "golang.org/x/mod/zip"
)

const zipModule = "gen.example.com/go/acme/t/acme/m"
const zipVersion = "v1.1.1"

// Characters that make names interesting: case-fold traps, letters of every
// kind, non-letters that look like letters, scripts newer than Unicode 13.
var tricky = []rune{
	'K', 'k', 0x212A, 'S', 's', 0x017F, 'A', 'a', 0x00C5, 0x00E5, 0x212B,
	0x00DF, 0x1E9E, 0x03C2, 0x03C3, 0x03A3, 0x0130, 0x0131, 'I', 'i',
	0x01C4, 0x01C5, 0x01C6, 0x13A0, 0xAB70, 0x10D0, 0x1C90, 0x0345, 0x03B9, 0x1FBE,
	0x00B5, 0x039C, 0x03BC, 0x1E60, 0x1E9B, 0x00AA, 0x02B0, 0x00E9, 0x0065, 0x0301,
	0x0663, 0x20AC, 0x200D, 0x3000, 0x1F600, 0x4E2D, 0x10570, 0x10597, 0xA7C0, 0xA7C1,
	0x2C2F, 0x2C5F, 0x1E900, 0x1E922, 0x10400, 0x10428, 0xFF21, 0xFF41, 0x2160, 0x2170,
	0x24B6, 0x24D0, 0x00D0, 0x00F0, 0x0110, 0x0189, 0xFB00, 0x1F88, 0x1F80, 0x0390,
}

var words = []string{
	"vendor", "Vendor", "VENDOR", "go.mod", "GO.MOD", "Go.mod", "go.sum", "LICENSE", "license",
	"CON", "con", "con.txt", "Aux.go", "nul.", "NUL", "PRN", "COM1", "com9.x", "COM0", "LPT5",
	"LPT10", "a~1", "PROGRA~1", "x~12.y", "~1", "a~b~2", "a~", "~", ".hg_archival.txt", "..",
	".", "...", ".a", "a.", "a..b", "-a", "a-", "+", "c++", "a b", "@v", "v2", "x.pb.go",
	"ſa", "sa", "Ka", "ka", "ÅB", "åb",
}

var invalidUTF8 = []string{"\x80", "\xc0\x80", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xff", "\xe2\x82", "\xc3"}

func randRune(r *rand.Rand) string {
	switch r.Intn(10) {
	case 0, 1, 2:
		return string(tricky[r.Intn(len(tricky))])
	case 3:
		return invalidUTF8[r.Intn(len(invalidUTF8))]
	case 4, 5:
		// anywhere in the code space (surrogates come out as U+FFFD)
		return string(rune(0x80 + r.Intn(0x10FFFF-0x80)))
	case 6:
		return string(rune(0x80 + r.Intn(0x3000)))
	default:
		return string(rune(1 + r.Intn(0x7f)))
	}
}

func randElem(r *rand.Rand) string {
	if r.Intn(4) == 0 {
		return words[r.Intn(len(words))]
	}
	var b strings.Builder
	n := 1 + r.Intn(6)
	for i := 0; i < n; i++ {
		switch r.Intn(6) {
		case 0:
			b.WriteString(randRune(r))
		case 1:
			b.WriteByte(".~-_+"[r.Intn(5)])
		default:
			b.WriteByte("abcxyzABCXYZ0129"[r.Intn(16)])
		}
	}
	return b.String()
}

func randPath(r *rand.Rand) string {
	var parts []string
	n := 1 + r.Intn(4)
	for i := 0; i < n; i++ {
		parts = append(parts, randElem(r))
	}
	p := strings.Join(parts, "/")
	switch r.Intn(20) {
	case 0:
		p = "/" + p
	case 1:
		p += "/"
	case 2:
		p = strings.Replace(p, "/", "//", 1)
	case 3:
		p = "example.com/" + p
	case 4:
		p = ""
	}
	return strings.ReplaceAll(p, "\x00", "")
}

// Sets: a few directories and files from a small vocabulary, so that
// collisions, vendored files and nested modules come up often.
var setDirs = []string{"a", "A", "b", "s", "S", "ſ", "k", "K", "\u212a", "vendor", "Vendor", "x/vendor",
	"x/vendor/y", "sub", "Sub", "ß", "ẞ", "ss", "a.go", "go.mod", "İ", "i", "ı", "I"}
var setFiles = []string{"a.go", "A.go", "x.pb.go", "go.mod", "GO.MOD", "Go.Mod", "LICENSE", "licence",
	".hg_archival.txt", "b.txt", "B.TXT", "ſ.go", "s.go", "modules.txt", "a", "A"}

func randSetPath(r *rand.Rand) string {
	var parts []string
	for d := r.Intn(4); d > 0; d-- {
		parts = append(parts, setDirs[r.Intn(len(setDirs))])
	}
	parts = append(parts, setFiles[r.Intn(len(setFiles))])
	p := strings.Join(parts, "/")
	switch r.Intn(40) {
	case 0:
		p = "./" + p
	case 1:
		p = "/" + p
	case 2:
		p = randPath(r)
	}
	return p
}

type set struct {
	names []string
	sizes []int64
}

func genSets(n int, seed int64, w io.Writer) {
	r := rand.New(rand.NewSource(seed))
	for i := 0; i < n; i++ {
		k := 1 + r.Intn(7)
		fmt.Fprintf(w, "%d\n", k)
		var prev []string
		for j := 0; j < k; j++ {
			p := randSetPath(r)
			if len(prev) > 0 && r.Intn(10) == 0 {
				p = prev[r.Intn(len(prev))]
			}
			if r.Intn(15) == 0 {
				p += "/" // a directory entry (zips only; CheckFiles sees a file)
			}
			prev = append(prev, p)
			size := int64(r.Intn(1000))
			switch r.Intn(30) {
			case 0:
				size = 16<<20 + 1
			case 1:
				size = 300 << 20
			}
			fmt.Fprintf(w, "%d %s\x00", size, p)
		}
	}
}

func readSets(rd *bufio.Reader) []set {
	var sets []set
	for {
		line, err := rd.ReadString('\n')
		if err == io.EOF {
			return sets
		}
		check(err)
		k, err := strconv.Atoi(strings.TrimSpace(line))
		check(err)
		var s set
		for j := 0; j < k; j++ {
			rec, err := rd.ReadString(0)
			check(err)
			rec = rec[:len(rec)-1]
			sp := strings.IndexByte(rec, ' ')
			size, err := strconv.ParseInt(rec[:sp], 10, 64)
			check(err)
			s.names = append(s.names, rec[sp+1:])
			s.sizes = append(s.sizes, size)
		}
		sets = append(sets, s)
	}
}

type fakeFile struct {
	path string
	size int64
}

func (f fakeFile) Path() string                 { return f.path }
func (f fakeFile) Lstat() (os.FileInfo, error)  { return fakeInfo(f), nil }
func (f fakeFile) Open() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader("")), nil }

type fakeInfo fakeFile

func (i fakeInfo) Name() string       { return filepath.Base(i.path) }
func (i fakeInfo) Size() int64        { return i.size }
func (i fakeInfo) Mode() fs.FileMode  { return 0644 }
func (i fakeInfo) ModTime() time.Time { return time.Time{} }
func (i fakeInfo) IsDir() bool        { return false }
func (i fakeInfo) Sys() interface{}   { return nil }

// One line: the flagged paths, hex-encoded, "I:" invalid or "O:" omitted,
// sorted; "S" when there is a size error; "-" when nothing is flagged.
func verdictLine(invalid, omitted []string, sizeErr bool) string {
	var v []string
	for _, p := range invalid {
		v = append(v, "I:"+hex.EncodeToString([]byte(p)))
	}
	for _, p := range omitted {
		v = append(v, "O:"+hex.EncodeToString([]byte(p)))
	}
	sort.Strings(v)
	if sizeErr {
		v = append(v, "S")
	}
	if len(v) == 0 {
		return "-"
	}
	return strings.Join(v, " ")
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "xmodref:", err)
		os.Exit(2)
	}
}

func ok(err error) int {
	if err == nil {
		return 1
	}
	return 0
}

// The module verdict remotegen wants: module.CheckPath, and no /vN suffix
// (remotegen's versions are all v1) and no gopkg.in path.
func moduleOK(p string) int {
	if module.CheckPath(p) != nil || strings.HasPrefix(p, "gopkg.in/") {
		return 0
	}
	if _, major, _ := module.SplitPathVersion(p); major != "" {
		return 0
	}
	return 1
}

// The fold class of a rune: the smallest rune of its unicode.SimpleFold orbit.
func foldClass(r rune) rune {
	min := r
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		if f < min {
			min = f
		}
	}
	return min
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: xmodref gen-paths|gen-sets|paths|files|zips|runes ...")
		os.Exit(2)
	}
	w := bufio.NewWriter(os.Stdout)
	defer w.Flush()
	rd := bufio.NewReaderSize(os.Stdin, 1<<20)
	switch os.Args[1] {
	case "gen-paths", "gen-sets":
		n, err := strconv.Atoi(os.Args[2])
		check(err)
		seed, err := strconv.ParseInt(os.Args[3], 10, 64)
		check(err)
		if os.Args[1] == "gen-sets" {
			genSets(n, seed, w)
			return
		}
		r := rand.New(rand.NewSource(seed))
		for i := 0; i < n; i++ {
			fmt.Fprintf(w, "%s\x00", randPath(r))
		}
	case "paths":
		for {
			p, err := rd.ReadString(0)
			if err == io.EOF {
				return
			}
			check(err)
			p = p[:len(p)-1]
			fmt.Fprintf(w, "%d %d %d\n", ok(module.CheckFilePath(p)), ok(module.CheckImportPath(p)), moduleOK(p))
		}
	case "files":
		for _, s := range readSets(rd) {
			var files []modzip.File
			for i, p := range s.names {
				files = append(files, fakeFile{p, s.sizes[i]})
			}
			cf, _ := modzip.CheckFiles(files)
			var inv, om []string
			for _, e := range cf.Invalid {
				inv = append(inv, e.Path)
			}
			for _, e := range cf.Omitted {
				om = append(om, e.Path)
			}
			fmt.Fprintln(w, verdictLine(inv, om, cf.SizeError != nil))
		}
	case "zips":
		dir := os.Args[2]
		prefix := zipModule + "@" + zipVersion + "/"
		for i, s := range readSets(rd) {
			name := filepath.Join(dir, fmt.Sprintf("%d.zip", i))
			var buf bytes.Buffer
			zw := zip.NewWriter(&buf)
			for j, p := range s.names {
				// The size is declared in the header; CheckZip reads no content.
				fh := &zip.FileHeader{Name: prefix + p, Method: zip.Store}
				fh.UncompressedSize64 = uint64(s.sizes[j])
				_, err := zw.CreateRaw(fh)
				check(err)
			}
			check(zw.Close())
			check(os.WriteFile(name, buf.Bytes(), 0644))
			cf, err := modzip.CheckZip(module.Version{Path: zipModule, Version: zipVersion}, name)
			var inv []string
			for _, e := range cf.Invalid {
				inv = append(inv, e.Path)
			}
			if err != nil && len(inv) == 0 && cf.SizeError == nil {
				check(err)
			}
			fmt.Fprintln(w, verdictLine(inv, nil, cf.SizeError != nil))
			os.Remove(name)
		}
	case "runes":
		for r := rune(0x20); r <= unicode.MaxRune; r++ {
			if r >= 0xD800 && r <= 0xDFFF {
				continue
			}
			fmt.Fprintf(w, "%x %d %x\n", r, ok(module.CheckFilePath("a"+string(r))), foldClass(r))
		}
	default:
		check(fmt.Errorf("unknown command %q", os.Args[1]))
	}
}
