//! Keeping secrets out of core dumps and debuggers, best effort: on Linux the process is made
//! non-dumpable (no core file, no ptrace attach by other processes of the same user) and its
//! core size limit is set to zero, before any secret is read.

/// Applies what the platform offers; failures are ignored (nothing depends on them).
pub fn harden() {
    #[cfg(target_os = "linux")]
    {
        let no_core = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: plain system calls with valid arguments.
        unsafe {
            libc::setrlimit(libc::RLIMIT_CORE, &no_core);
            libc::prctl(libc::PR_SET_DUMPABLE, 0, 0, 0, 0);
        }
    }
}

/// Whether [`harden`] took effect: (not dumpable, core limit zero).
#[cfg(target_os = "linux")]
pub fn hardened() -> (bool, bool) {
    let mut limit = libc::rlimit {
        rlim_cur: 1,
        rlim_max: 1,
    };
    // SAFETY: plain system calls with valid arguments.
    let (dumpable, got) = unsafe {
        (
            libc::prctl(libc::PR_GET_DUMPABLE, 0, 0, 0, 0),
            libc::getrlimit(libc::RLIMIT_CORE, &mut limit),
        )
    };
    (dumpable == 0, got == 0 && limit.rlim_cur == 0)
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    #[test]
    fn no_core_and_no_attach() {
        harden();
        assert_eq!(hardened(), (true, true));
    }
}
