//! Reading files and stdin, writing stdout and stderr, and the clock: the only I/O the tool does.

use std::fs::File;
use std::io::{self, IsTerminal, Read, Write};
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::Value;
use tessera::ErrorKind;

use crate::fail::Failure;

/// Largest file or stdin input read, in bytes. Every tessera input limit is far below it.
pub const MAX_INPUT: u64 = 1024 * 1024;

/// Reads at most [`MAX_INPUT`] bytes from `reader`; `too_large` past that.
fn read_bounded(reader: impl Read, what: &dyn std::fmt::Display) -> Result<Vec<u8>, Failure> {
    let mut bytes = Vec::new();
    let _ = reader
        .take(MAX_INPUT + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Failure::io(what, &e))?;
    if bytes.len() as u64 > MAX_INPUT {
        return Err(Failure::kind(
            ErrorKind::TooLarge,
            format!("{what}: input larger than 1 MiB"),
        ));
    }
    Ok(bytes)
}

/// Reads a whole file (at most [`MAX_INPUT`] bytes).
pub fn read_file(path: &Path) -> Result<Vec<u8>, Failure> {
    let file = File::open(path).map_err(|e| Failure::io(path.display(), &e))?;
    read_bounded(file, &path.display())
}

/// The token argument, or stdin when it is `-` or absent, with surrounding whitespace trimmed.
///
/// Only a missing token is a usage error: stdin that holds nothing but white space (closed, an
/// empty pipe, `/dev/null`, a blank line) gives no token at all. A token argument that is given
/// but empty (`verify ""`, or white space only) is returned as the empty string, so the library
/// refuses it as malformed, exactly like any other malformed token (exit 1).
pub fn token_arg(arg: Option<&str>) -> Result<String, Failure> {
    text_arg(arg, "token")
}

/// [`token_arg`] for any one-line input named `what` (`token`, `proof`): the argument, or
/// stdin when it is `-` or absent, trimmed; stdin with nothing but white space is a usage error.
pub fn text_arg(arg: Option<&str>, what: &str) -> Result<String, Failure> {
    let text = match arg {
        Some(text) if text != "-" => text.to_owned(),
        _ => {
            let stdin = io::stdin();
            if stdin.is_terminal() {
                warn(&format!("reading the {what} from stdin (end with Ctrl-D)"));
            }
            let bytes = read_bounded(stdin.lock(), &"stdin")?;
            if bytes.iter().all(u8::is_ascii_whitespace) {
                return Err(Failure::usage(format!(
                    "no {what} given: pass it as an argument or on stdin"
                )));
            }
            String::from_utf8(bytes).map_err(|_| {
                Failure::kind(
                    ErrorKind::InvalidUtf8,
                    format!("stdin: the {what} is not UTF-8"),
                )
            })?
        }
    };
    Ok(text.trim().to_owned())
}

/// Writes `text` and a newline to stdout.
pub fn out(text: &str) -> Result<(), Failure> {
    let mut stdout = io::stdout().lock();
    writeln!(stdout, "{text}")
        .and_then(|()| stdout.flush())
        .map_err(|e| Failure::stdout(&e))
}

/// Writes a JSON value, pretty-printed, to stdout.
pub fn out_json(value: &Value) -> Result<(), Failure> {
    out(&pretty(value))
}

/// A JSON value pretty-printed (two-space indent).
pub fn pretty(value: &Value) -> String {
    // Serialising a `Value` to a `String` cannot fail (its keys are strings).
    serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string())
}

/// Writes `warning: <text>` to stderr. Failures to write to stderr are ignored.
pub fn warn(text: &str) {
    let _ = writeln!(io::stderr(), "warning: {text}");
}

/// The system clock in Unix seconds, or `--now` when given. Only the tool reads the clock; the
/// library is always given `now`.
pub fn now(flag: Option<i64>) -> Result<i64, Failure> {
    if let Some(now) = flag {
        return Ok(now);
    }
    let since = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_err(|_| Failure::usage("the system clock is before 1970; pass --now"))?;
    i64::try_from(since.as_secs()).map_err(|_| Failure::usage("the system clock is out of range"))
}
