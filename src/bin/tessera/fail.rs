//! How the command fails: one line `error: <code>: <message>` on stderr and an exit code.
//!
//! | exit | meaning | code-name |
//! |---|---|---|
//! | 0 | success | — |
//! | 1 | tessera refused the input: a token, key, claims, scope, opaque token or verifier | [`ErrorKind::name`] (`expired`, `invalid_signature`, `invalid_key`, ...) |
//! | 2 | the command line is wrong: unknown flag, missing or conflicting arguments, a flag value that does not parse, an algorithm that nothing decides, a file that cannot be read | `usage` or `io` |

use std::fmt;
use std::io;
use std::path::Path;

use tessera::{Error, ErrorKind};

/// Exit code of a refusal by tessera (a token, key, scope, ... rejected).
pub const EXIT_REJECTED: u8 = 1;
/// Exit code of a usage error (bad command line, unreadable file).
pub const EXIT_USAGE: u8 = 2;

/// Why a command failed: the code-name, the one-line message and the exit code.
#[derive(Debug)]
pub struct Failure {
    /// `ErrorKind::name()`, or `usage` / `io` for the command line and files.
    code: &'static str,
    /// The message, on one line.
    message: String,
    /// The process exit code.
    exit: u8,
    /// Exit without printing (stdout was closed by the reader, e.g. `| head -1`).
    quiet: bool,
}

impl Failure {
    /// A usage error (exit 2).
    pub fn usage(message: impl Into<String>) -> Failure {
        Failure {
            code: "usage",
            message: message.into(),
            exit: EXIT_USAGE,
            quiet: false,
        }
    }

    /// A file or stream that could not be read (exit 2): `error: io: <path>: <reason>`.
    pub fn io(what: impl fmt::Display, err: &io::Error) -> Failure {
        Failure {
            code: "io",
            message: format!("{what}: {}", io_reason(err)),
            exit: EXIT_USAGE,
            quiet: false,
        }
    }

    /// Writing to stdout failed. A closed pipe ends the command quietly.
    pub fn stdout(err: &io::Error) -> Failure {
        let mut failure = Failure::io("stdout", err);
        failure.exit = EXIT_REJECTED;
        failure.quiet = err.kind() == io::ErrorKind::BrokenPipe;
        failure
    }

    /// A library error (exit 1): `error: <kind name>: <kind description>: <detail>`.
    pub fn lib(err: &Error) -> Failure {
        Failure {
            code: err.kind().name(),
            message: one_line(&err.to_string()),
            exit: EXIT_REJECTED,
            quiet: false,
        }
    }

    /// A library error of `kind` with a message written here (exit 1).
    /// Formatted like [`Failure::lib`] (`<description>: <message>`).
    pub fn kind(kind: ErrorKind, message: impl Into<String>) -> Failure {
        Failure {
            code: kind.name(),
            message: one_line(&format!("{}: {}", kind.description(), message.into())),
            exit: EXIT_REJECTED,
            quiet: false,
        }
    }

    /// The same failure, its message prefixed with the file it is about.
    pub fn in_file(mut self, path: &Path) -> Failure {
        self.message = format!("{}: {}", path.display(), self.message);
        self
    }

    /// The same failure with `hint` appended to the message.
    pub fn hint(mut self, hint: &str) -> Failure {
        self.message = format!("{}; {hint}", self.message);
        self
    }

    /// The same failure as a usage error (exit 2), keeping the message.
    pub fn into_usage(mut self) -> Failure {
        self.code = "usage";
        self.exit = EXIT_USAGE;
        self
    }

    /// The code-name (`expired`, `usage`, ...).
    pub fn code(&self) -> &'static str {
        self.code
    }

    /// The exit code.
    pub fn exit_code(&self) -> u8 {
        self.exit
    }

    /// Whether to exit without printing anything.
    pub fn is_quiet(&self) -> bool {
        self.quiet
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "error: {}: {}", self.code, self.message)
    }
}

impl From<Error> for Failure {
    fn from(err: Error) -> Self {
        Failure::lib(&err)
    }
}

/// The reason of an I/O error without the `(os error N)` suffix.
fn io_reason(err: &io::Error) -> String {
    let text = err.to_string();
    let text = match text.find(" (os error ") {
        Some(cut) => text[..cut].to_owned(),
        None => text,
    };
    one_line(&text)
}

/// Collapses line breaks so every error stays on one line.
pub fn one_line(text: &str) -> String {
    text.split(['\n', '\r'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}
