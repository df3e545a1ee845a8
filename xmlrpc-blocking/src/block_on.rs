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

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;
    use std::task::{Context, Poll};
    use std::thread;
    use std::time::Duration;

    /// A future completed by another thread.
    struct Later {
        rx: mpsc::Receiver<u32>,
        started: bool,
    }

    impl Future for Later {
        type Output = u32;

        fn poll(mut self: std::pin::Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<u32> {
            if let Ok(v) = self.rx.try_recv() {
                return Poll::Ready(v);
            }
            if !self.started {
                self.started = true;
                let waker = cx.waker().clone();
                let (tx, rx) = mpsc::channel();
                let old = std::mem::replace(&mut self.rx, rx);
                thread::spawn(move || {
                    thread::sleep(Duration::from_millis(20));
                    let _ = tx.send(7);
                    drop(old);
                    waker.wake();
                });
            }
            Poll::Pending
        }
    }

    #[test]
    fn waits_for_a_wake_from_another_thread() {
        let (_tx, rx) = mpsc::channel();
        assert_eq!(block_on(Later { rx, started: false }), 7);
    }
}
