//! Deadlines with `async-io` timers, which run under any executor.

use std::future::Future;
use std::time::{Duration, Instant};

use smol::{Timer, future};

/// Sleeps until `deadline`, or forever without one.
pub(crate) async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(d) => {
            Timer::at(d).await;
        }
        None => future::pending().await,
    }
}

/// `fut`'s output, or `None` if `limit` passes first.
pub(crate) async fn timeout<T>(limit: Duration, fut: impl Future<Output = T>) -> Option<T> {
    let fut = async { Some(fut.await) };
    let timer = async {
        Timer::after(limit).await;
        None
    };
    future::or(fut, timer).await
}

/// `fut`'s output, or `None` if `deadline` passes first.
pub(crate) async fn until<T>(deadline: Option<Instant>, fut: impl Future<Output = T>) -> Option<T> {
    let fut = async { Some(fut.await) };
    let timer = async {
        sleep_until(deadline).await;
        None
    };
    future::or(fut, timer).await
}
