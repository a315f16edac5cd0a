//! Tesseract, run as its command (`tesseract stdin stdout tsv`), one process an image.
//!
//! Why the command and not the library (through a binding crate): measured here, a process
//! costs 0.07 s to start and load its English model against 0.2–0.3 s to read a 1024 x 768
//! frame, and buys what a gate needs more than those 0.07 s: an engine that crashes, hangs or
//! runs out of memory on a hostile image takes its own process down, not the mount's; a read
//! that takes too long is killed ([`TIMEOUT`]); and vault builds without libtesseract's headers
//! or a C++ toolchain. The image goes in through a pipe (PGM) and the words come out through
//! one (TSV): the pixels never touch a disk.
//!
//! One thread a process (`OMP_THREAD_LIMIT=1`): Tesseract's OpenMP threads made a frame take
//! 1.3–1.9 s instead of 0.2 s here; vault reads several images at once instead.

use std::io::{Read, Write};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::{Box2, Gray, Line, OcrError, Reader, Word};

/// The processor time one image may take before the read is abandoned (and the image refused):
/// the kernel stops the process there (`RLIMIT_CPU`). Processor time, not time on the clock: on a
/// machine busy with other readings a clock's minute came before the engine's (CI refused a clean
/// image of the synthetic set that way).
pub const TIMEOUT: Duration = Duration::from_secs(60);
/// The clock's limit, for a process that hangs without working.
const WALL_TIMEOUT: Duration = Duration::from_secs(600);

/// The package that holds each part.
const PROGRAM_PACKAGE: &str = "tesseract-ocr";
const ENGLISH_PACKAGE: &str = "tesseract-ocr-eng";

/// The Tesseract on `PATH`, once found; or what is missing.
#[derive(Debug)]
pub struct Tesseract {
    found: Result<(PathBuf, String), OcrError>,
    /// Tesseract's page segmentation mode (`--psm`).
    layout: u8,
    /// The processor time a reading may take ([`TIMEOUT`]).
    cpu_limit: Duration,
}

/// Sparse text: as much text as can be found, in no particular order (text scattered over an
/// image, not a page). Measured on the synthetic set against the default (3, a page of
/// columns), which leaves text that lies over the picture unread: see README.
pub const LAYOUT: u8 = 11;

impl Tesseract {
    /// Looks for `tesseract` on `PATH` and its English model.
    pub fn find() -> Tesseract {
        Tesseract { found: Self::locate(), layout: LAYOUT, cpu_limit: TIMEOUT }
    }

    /// The program at `program` (which must have its English model).
    pub fn at(program: &Path) -> Tesseract {
        Tesseract { found: Self::check(program.to_path_buf()), layout: LAYOUT, cpu_limit: TIMEOUT }
    }

    /// The same program, segmenting pages as `--psm layout` says (for measurements).
    pub fn with_layout(self, layout: u8) -> Tesseract {
        Tesseract { layout, ..self }
    }

    fn locate() -> Result<(PathBuf, String), OcrError> {
        let path = std::env::var_os("PATH").unwrap_or_default();
        let program = std::env::split_paths(&path)
            .map(|d| d.join("tesseract"))
            .find(|p| p.is_file())
            .ok_or(OcrError::Missing(PROGRAM_PACKAGE))?;
        Self::check(program)
    }

    fn check(program: PathBuf) -> Result<(PathBuf, String), OcrError> {
        let run = |arg: &str| -> Result<String, OcrError> {
            let out = Command::new(&program)
                .arg(arg)
                .stdin(Stdio::null())
                .output()
                .map_err(|_| OcrError::Missing(PROGRAM_PACKAGE))?;
            Ok(format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
        };
        let version = run("--version")?;
        let version = version
            .lines()
            .find(|l| l.starts_with("tesseract "))
            .ok_or_else(|| OcrError::Failed("`tesseract --version` does not say which version".into()))?
            .trim()
            .to_string();
        if !run("--list-langs")?.lines().any(|l| l.trim() == "eng") {
            return Err(OcrError::Missing(ENGLISH_PACKAGE));
        }
        Ok((program, format!("{version} eng")))
    }
}

impl Reader for Tesseract {
    fn engine(&self) -> Result<String, OcrError> {
        self.found.as_ref().map(|(_, v)| format!("{v} psm {}", self.layout)).map_err(Clone::clone)
    }

    fn lines(&self, image: &Gray) -> Result<Vec<Line>, OcrError> {
        self.run(image, self.layout)
    }

    fn sheet_lines(&self, image: &Gray) -> Result<Vec<Line>, OcrError> {
        self.run(image, SHEET_LAYOUT)
    }
}

/// A sheet of lines (the second look's): "a single uniform block of text", which read the cut-outs
/// of the synthetic set's missed items better than sparse text (11) or a column of text of
/// several sizes (4).
const SHEET_LAYOUT: u8 = 6;

impl Tesseract {
    fn run(&self, image: &Gray, layout: u8) -> Result<Vec<Line>, OcrError> {
        let (program, _) = self.found.as_ref().map_err(Clone::clone)?;
        let mut command = Command::new(program);
        command
            .args(["stdin", "stdout", "-l", "eng", "--psm", &layout.to_string(), "tsv"])
            .env("OMP_THREAD_LIMIT", "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let cpu = self.cpu_limit.as_secs() as libc::rlim_t;
        // SAFETY: setrlimit is async-signal-safe, and touches nothing of the parent's.
        unsafe {
            command.pre_exec(move || {
                let limit = libc::rlimit { rlim_cur: cpu, rlim_max: cpu + 5 };
                if libc::setrlimit(libc::RLIMIT_CPU, &limit) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let mut child =
            command.spawn().map_err(|e| OcrError::Failed(format!("cannot start tesseract: {e}")))?;
        let mut pgm = format!("P5\n{} {}\n255\n", image.width, image.height).into_bytes();
        pgm.extend_from_slice(&image.pixels);
        let (mut stdin, mut stdout, mut stderr) = (
            child.stdin.take().expect("piped"),
            child.stdout.take().expect("piped"),
            child.stderr.take().expect("piped"),
        );
        let started = Instant::now();
        let (out, err, status) = std::thread::scope(|s| {
            // A write that fails means tesseract stopped reading: its status says why. SIGPIPE
            // is blocked in this thread (the signal goes to the thread that wrote), so a
            // tesseract that died early is an error here, not the end of vault.
            s.spawn(move || {
                // SAFETY: a signal set we own, changed for this thread only.
                unsafe {
                    let mut set: libc::sigset_t = std::mem::zeroed();
                    libc::sigemptyset(&mut set);
                    libc::sigaddset(&mut set, libc::SIGPIPE);
                    libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
                }
                let _ = stdin.write_all(&pgm);
            });
            let out = s.spawn(move || {
                let mut b = Vec::new();
                let _ = stdout.read_to_end(&mut b);
                b
            });
            let err = s.spawn(move || {
                let mut b = Vec::new();
                let _ = stderr.read_to_end(&mut b);
                b
            });
            let status = loop {
                match child.try_wait() {
                    Ok(Some(status)) => break Ok(status),
                    Ok(None) if started.elapsed() > WALL_TIMEOUT => {
                        let _ = child.kill();
                        let _ = child.wait();
                        break Err(OcrError::TimedOut(WALL_TIMEOUT.as_secs()));
                    }
                    Ok(None) => std::thread::sleep(Duration::from_millis(5)),
                    Err(e) => {
                        let _ = child.kill();
                        let _ = child.wait();
                        break Err(OcrError::Failed(format!("cannot wait for tesseract: {e}")));
                    }
                }
            };
            (out.join().unwrap_or_default(), err.join().unwrap_or_default(), status)
        });
        let status = status?;
        if matches!(status.signal(), Some(libc::SIGXCPU | libc::SIGKILL)) {
            return Err(OcrError::TimedOut(self.cpu_limit.as_secs()));
        }
        if !status.success() {
            // Its message is about the program, not the image's text: the first line only.
            let why = String::from_utf8_lossy(&err);
            let first = why.lines().find(|l| !l.trim().is_empty()).unwrap_or("no message");
            return Err(OcrError::Failed(format!("tesseract exited with {status}: {first}")));
        }
        parse_tsv(&String::from_utf8_lossy(&out))
    }
}

/// Tesseract's TSV: level, page, block, paragraph, line, word, left, top, width, height,
/// confidence, text. Words are level 5; a line is the words that share block, paragraph and
/// line numbers.
fn parse_tsv(tsv: &str) -> Result<Vec<Line>, OcrError> {
    let mut lines: Vec<((u32, u32, u32, u32), Line)> = Vec::new();
    for row in tsv.lines().skip(1) {
        let f: Vec<&str> = row.splitn(12, '\t').collect();
        if f.len() < 12 || f[0] != "5" {
            continue;
        }
        let n = |i: usize| {
            f[i].trim().parse::<u32>().map_err(|_| OcrError::Failed("unreadable TSV output".into()))
        };
        let text = f[11].trim();
        if text.is_empty() {
            continue;
        }
        let key = (n(1)?, n(2)?, n(3)?, n(4)?);
        let word = Word {
            text: text.to_string(),
            area: Box2 { x: n(6)?, y: n(7)?, width: n(8)?, height: n(9)? },
            confidence: f[10].trim().parse().unwrap_or(0.0),
        };
        match lines.last_mut() {
            Some((k, line)) if *k == key => line.words.push(word),
            _ => lines.push((key, Line { words: vec![word] })),
        }
    }
    Ok(lines.into_iter().map(|(_, l)| l).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tsv_words_group_into_lines_by_block_paragraph_and_line() {
        let tsv = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n\
            1\t1\t0\t0\t0\t0\t0\t0\t100\t100\t-1\t\n\
            5\t1\t1\t1\t1\t1\t0\t3\t20\t10\t91.9\tMADEUP,NAME\n\
            5\t1\t1\t1\t1\t2\t30\t3\t20\t10\t96.2\tAM\n\
            5\t1\t1\t1\t2\t1\t5\t36\t40\t12\t96.1\t00047431395\n\
            5\t1\t2\t1\t1\t1\t5\t60\t4\t12\t95\t \n";
        let lines = parse_tsv(tsv).unwrap();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].text(), "MADEUP,NAME AM");
        assert_eq!(lines[0].area(), Box2 { x: 0, y: 3, width: 50, height: 10 });
        assert_eq!(lines[1].words[0].confidence, 96.1);
    }

    /// A real process under the real kernel limit: a program that answers as Tesseract does to
    /// `--version` and `--list-langs` and then spins is stopped after its second of processor
    /// time, and the reading is an error (the image refused), not a hang.
    #[test]
    fn an_engine_that_spins_is_stopped_by_its_processor_time() {
        let dir = tempfile::tempdir().unwrap();
        let program = dir.path().join("tesseract");
        std::fs::write(
            &program,
            "#!/bin/sh\ncase \"$1\" in --version) echo 'tesseract 5.0.0';; --list-langs) echo eng;; \
             *) while :; do :; done;; esac\n",
        )
        .unwrap();
        std::fs::set_permissions(&program, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
        let t = Tesseract { cpu_limit: Duration::from_secs(1), ..Tesseract::at(&program) };
        assert!(t.engine().is_ok(), "{:?}", t.engine());
        let started = Instant::now();
        assert_eq!(t.lines(&Gray::new(1, 1, vec![0])), Err(OcrError::TimedOut(1)));
        assert!(started.elapsed() < Duration::from_secs(30), "{:?}", started.elapsed());
    }

    #[test]
    fn a_missing_program_is_named_by_its_package() {
        let t = Tesseract::at(Path::new("/nonexistent/tesseract"));
        assert_eq!(t.engine(), Err(OcrError::Missing("tesseract-ocr")));
        assert!(t.lines(&Gray::new(1, 1, vec![0])).is_err());
    }
}
