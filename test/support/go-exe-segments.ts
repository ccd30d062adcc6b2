import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { testCacheDir } from './paths.ts';

/** A segment as Go's debug/elf, debug/macho and debug/pe see it, in the shape Customs' layout uses. */
export interface GoSeenLayout {
  segments: Array<{ vaddr: number; offset: number; size: number; writable: boolean }>;
  symbols?: { symtab: { offset: number; size: number; entrySize: number }; strtab: { offset: number; size: number } };
}

// Only the standard library's readers: the loaded segments (as debug/buildinfo maps addresses)
// and, for ELF, the symbol table section and the string table it links to.
const SOURCE = `package main

import (
	"debug/elf"
	"debug/macho"
	"debug/pe"
	"encoding/json"
	"os"
)

type segment struct {
	Vaddr    uint64 \`json:"vaddr"\`
	Offset   uint64 \`json:"offset"\`
	Size     uint64 \`json:"size"\`
	Writable bool   \`json:"writable"\`
}

type table struct {
	Offset    uint64 \`json:"offset"\`
	Size      uint64 \`json:"size"\`
	EntrySize *uint64 \`json:"entrySize,omitempty"\`
}

type layout struct {
	Segments []segment        \`json:"segments"\`
	Symbols  map[string]table \`json:"symbols,omitempty"\`
}

func main() {
	out := layout{Segments: []segment{}}
	path := os.Args[1]
	if f, err := elf.Open(path); err == nil {
		for _, p := range f.Progs {
			if p.Type == elf.PT_LOAD && p.Filesz > 0 {
				out.Segments = append(out.Segments, segment{p.Vaddr, p.Off, p.Filesz, p.Flags&elf.PF_W != 0})
			}
		}
		for _, s := range f.Sections {
			if s.Type == elf.SHT_SYMTAB {
				str := f.Sections[s.Link]
				entry := s.Entsize
				out.Symbols = map[string]table{"symtab": {s.Offset, s.Size, &entry}, "strtab": {str.Offset, str.Size, nil}}
				break
			}
		}
	} else if f, err := macho.Open(path); err == nil {
		for _, l := range f.Loads {
			if s, ok := l.(*macho.Segment); ok && s.Filesz > 0 {
				out.Segments = append(out.Segments, segment{s.Addr, s.Offset, s.Filesz, s.Prot&2 != 0})
			}
		}
	} else if f, err := pe.Open(path); err == nil {
		var base uint64
		switch h := f.OptionalHeader.(type) {
		case *pe.OptionalHeader32:
			base = uint64(h.ImageBase)
		case *pe.OptionalHeader64:
			base = h.ImageBase
		}
		for _, s := range f.Sections {
			if s.Size > 0 {
				out.Segments = append(out.Segments, segment{base + uint64(s.VirtualAddress), uint64(s.Offset), uint64(s.Size), s.Characteristics&pe.IMAGE_SCN_MEM_WRITE != 0})
			}
		}
	} else {
		os.Exit(2)
	}
	json.NewEncoder(os.Stdout).Encode(out)
}
`;

/** The layout Go's own readers give for `binary` (a small tool built once into the test cache). */
export function goSeenLayout(binary: string): GoSeenLayout {
  const root = testCacheDir('go-exe-segments');
  const tool = join(root, 'bin', 'exe-segments');
  if (!existsSync(tool)) {
    mkdirSync(join(root, 'src'), { recursive: true });
    writeFileSync(join(root, 'src', 'go.mod'), 'module example.com/exe-segments\n\ngo 1.19\n');
    writeFileSync(join(root, 'src', 'main.go'), SOURCE);
    const env = { ...process.env, CGO_ENABLED: '0', GOPROXY: 'off', GOTOOLCHAIN: 'local', GOPATH: join(root, 'gopath'), GOCACHE: join(root, 'gocache') };
    execFileSync('go', ['build', '-o', tool, '.'], { cwd: join(root, 'src'), env, stdio: 'pipe' });
  }
  return JSON.parse(execFileSync(tool, [binary], { encoding: 'utf8' })) as GoSeenLayout;
}
