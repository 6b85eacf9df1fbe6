//! The `hovor` binary: everything lives in the library, this only runs it.

fn main() -> std::process::ExitCode {
    fewer_malloc_arenas();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("hovor: starting the runtime: {error}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(hovor_server::cli::run()) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("hovor: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// glibc's allocator gives threads that allocate at once arenas of their
/// own, up to eight per core, and each arena keeps what was freed in it.
/// Hovor's threads (the runtime's, SQLite's, the blocking pool's) then hold
/// memory no connection uses: measured with the bench's idle scenario,
/// 18.4 KB of server memory per idle client with glibc's default, 2.3 KB
/// with two arenas, and no loss of throughput on two cores. A deployment
/// that sets MALLOC_ARENA_MAX keeps its own choice.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn fewer_malloc_arenas() {
    if std::env::var_os("MALLOC_ARENA_MAX").is_some() {
        return;
    }
    // SAFETY: mallopt only sets a parameter of the allocator, and no other
    // thread exists yet.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
        // A fixed threshold: large blocks (a password hash's 19 MiB) are
        // mapped and given back when freed, instead of raising the
        // threshold and staying in the heap after each login.
        libc::mallopt(libc::M_MMAP_THRESHOLD, 256 << 10);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn fewer_malloc_arenas() {}
