//! The thread pool every kernel runs on: one per process, rebuilt in a forked child.
//!
//! `fork()` copies only the calling thread, so a child inherits a pool whose worker threads
//! do not exist, and the first parallel kernel would wait for them forever. Spark's Python
//! workers, `multiprocessing` with the fork start method and pre-forking servers all fork
//! processes that may already have run a kernel.
//!
//! The process that imported the module (its *home*) runs kernels on the calling thread and
//! rayon's global pool, at no cost. Any other process is a forked child, whose copy of the
//! global pool is dead: [`run`] puts its kernels on a pool of its own, built on first use
//! and tagged with its process id, so a grandchild builds yet another. The pool handed
//! down by the parent is leaked in the child, never dropped: dropping it would signal threads
//! that are not there. (Running every call on a private pool would be simpler, but handing
//! each call to a pool thread and back costs ~25 µs, which a small batch cannot afford.)
//!
//! No lock is taken on the way (a lock held by another thread at the moment of a fork would
//! stay held in the child forever): the pool is an atomic pointer tagged with its process id.

use std::sync::atomic::{AtomicPtr, AtomicU32, Ordering};

use rayon::ThreadPool;

/// A pool and the process that built it.
struct Owned {
    pid: u32,
    pool: ThreadPool,
}

static POOL: AtomicPtr<Owned> = AtomicPtr::new(std::ptr::null_mut());

/// The process id of the module's home: the process that imported it.
static HOME: AtomicU32 = AtomicU32::new(0);

/// Records the current process as the module's home; called when the module is imported.
pub fn set_home() {
    HOME.store(std::process::id(), Ordering::Release);
}

/// The pool in `ptr` if it belongs to process `pid`.
fn owned_by(ptr: *mut Owned, pid: u32) -> Option<&'static ThreadPool> {
    // SAFETY: a non-null pointer in POOL always comes from `Box::into_raw` in `current` and is
    // never freed, so it stays valid for the life of the process.
    unsafe { ptr.as_ref() }
        .filter(|owned| owned.pid == pid)
        .map(|owned| &owned.pool)
}

/// The current process's pool, built on first use (and again after a fork).
fn current() -> Result<&'static ThreadPool, String> {
    let pid = std::process::id();
    loop {
        let seen = POOL.load(Ordering::Acquire);
        if let Some(pool) = owned_by(seen, pid) {
            return Ok(pool);
        }
        // Sized as rayon's global pool would be (RAYON_NUM_THREADS, else one per core).
        let pool = rayon::ThreadPoolBuilder::new()
            .thread_name(|i| format!("driftscope-{i}"))
            .build()
            .map_err(|e| format!("cannot start the kernel threads: {e}"))?;
        let fresh = Box::into_raw(Box::new(Owned { pid, pool }));
        if POOL
            .compare_exchange(seen, fresh, Ordering::AcqRel, Ordering::Acquire)
            .is_ok()
        {
            // The parent's pool, if any, is leaked on purpose (see the module documentation).
            return owned_by(fresh, pid).ok_or_else(|| "pool lost".to_string());
        }
        // Another thread of this process installed its pool first: drop ours, use theirs.
        // SAFETY: `fresh` came from `Box::into_raw` just above and was never shared.
        drop(unsafe { Box::from_raw(fresh) });
    }
}

/// Runs `f`: in the home process on the calling thread (parallel work goes to rayon's global
/// pool), in a forked child on that child's own pool, so that every `rayon::join` and
/// parallel iterator inside it uses a live pool. Fails only if no thread can be started.
pub fn run<R: Send>(f: impl FnOnce() -> R + Send) -> Result<R, String> {
    if std::process::id() == HOME.load(Ordering::Acquire) {
        Ok(f())
    } else {
        Ok(current()?.install(f))
    }
}
