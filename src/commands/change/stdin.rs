//! `--password-stdin` from a pipe or file: all of stdin read straight into one zeroed buffer
//! (not through std's buffered stdin, which would keep a copy), then exactly one line.

use zeroize::Zeroizing;

/// More than this is not a password.
const LIMIT: usize = 64 * 1024;

/// Why piped input is not one password line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StdinProblem {
    #[error("stdin is empty: pipe the password in, ending with a line break")]
    Empty,
    #[error("stdin has more than one line: give only the password, on one line")]
    MultipleLines,
    #[error("stdin holds more than {LIMIT} bytes, which is not a password")]
    TooLong,
}

/// Reads stdin to its end (at most [`LIMIT`] and one byte more).
pub fn read_all() -> std::io::Result<Zeroizing<Vec<u8>>> {
    let mut input = Zeroizing::new(Vec::with_capacity(LIMIT + 1));
    read_into(&mut input)?;
    Ok(input)
}

#[cfg(unix)]
fn read_into(input: &mut Vec<u8>) -> std::io::Result<()> {
    while input.len() <= LIMIT {
        let spare = input.spare_capacity_mut();
        // SAFETY: read writes at most spare.len() bytes into the vector's spare capacity,
        // which set_len then covers.
        let n = unsafe { libc::read(0, spare.as_mut_ptr().cast(), spare.len()) };
        if n < 0 {
            let err = std::io::Error::last_os_error();
            if err.kind() == std::io::ErrorKind::Interrupted {
                continue;
            }
            return Err(err);
        }
        if n == 0 {
            break;
        }
        // SAFETY: n bytes were just written after the current length.
        unsafe { input.set_len(input.len() + n as usize) };
    }
    Ok(())
}

#[cfg(not(unix))]
fn read_into(input: &mut Vec<u8>) -> std::io::Result<()> {
    use std::io::Read;
    std::io::stdin()
        .lock()
        .take(LIMIT as u64 + 1)
        .read_to_end(input)?;
    Ok(())
}

/// The one line of `input`, without its line break (`\n` or `\r\n`, or none at the end).
pub fn one_line(input: &[u8]) -> Result<&[u8], StdinProblem> {
    if input.len() > LIMIT {
        return Err(StdinProblem::TooLong);
    }
    let line = input.strip_suffix(b"\n").unwrap_or(input);
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    if line.contains(&b'\n') {
        return Err(StdinProblem::MultipleLines);
    }
    if line.is_empty() {
        return Err(StdinProblem::Empty);
    }
    Ok(line)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_table() {
        type Row<'a> = (&'a [u8], Result<&'a [u8], StdinProblem>);
        let table: &[Row] = &[
            (b"Pw-1\n", Ok(b"Pw-1")),
            (b"Pw-1\r\n", Ok(b"Pw-1")),
            (b"Pw-1", Ok(b"Pw-1")),
            (b"Pw-1\nsecond\n", Err(StdinProblem::MultipleLines)),
            (b"Pw-1\n\n", Err(StdinProblem::MultipleLines)),
            (b"\nPw-1\n", Err(StdinProblem::MultipleLines)),
            (b"", Err(StdinProblem::Empty)),
            (b"\n", Err(StdinProblem::Empty)),
            // A lone \r inside is left for the password rules to refuse.
            (b"Pw\r1\n", Ok(b"Pw\r1")),
        ];
        for (input, want) in table {
            assert_eq!(one_line(input), *want, "{input:?}");
        }
        assert_eq!(one_line(&vec![b'a'; LIMIT + 1]), Err(StdinProblem::TooLong));
    }
}
