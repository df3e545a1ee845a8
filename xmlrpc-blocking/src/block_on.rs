//! Polling a future to completion on the current thread.

use std::future::Future;

/// Runs `future` to completion on the current thread, parking the thread
/// while the future waits.
///
/// This is how the server runs asynchronous procedures, and it works for
/// any future whose waker is called from another thread (a channel, a
/// thread's result, `smol`'s timers). A future that needs a particular
/// runtime's reactor (a tokio socket or timer) must bring that runtime
/// along, for example by entering a `tokio::runtime::Handle` inside it.
///
/// ```
/// let answer = xmlrpc_blocking::block_on(async { 6 * 7 });
/// assert_eq!(answer, 42);
/// ```
pub fn block_on<F: Future>(future: F) -> F::Output {
    // The same parking loop the server runs its procedures with.
    futures_lite::future::block_on(future)
}
