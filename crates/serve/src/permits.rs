//! How many queries evaluate at once. Each evaluation uses a core, and a
//! large one holds its rows in memory until they are written: eight clients
//! each sorting a million rows at once held 6.7 GB (BENCHMARKS.md). With
//! one evaluation per core the others wait their turn, which costs no
//! throughput (the cores were busy) and bounds the memory. A query that
//! waits past the time limit is stopped like one that ran past it.

use oxigraph::sparql::CancellationToken;
use std::sync::{Condvar, Mutex};
use std::time::Duration;

/// How often a waiting query checks whether it was cancelled.
const CHECK_EVERY: Duration = Duration::from_millis(20);

/// A counting semaphore of evaluations.
pub struct Permits {
    taken: Mutex<usize>,
    freed: Condvar,
    limit: usize,
}

/// One evaluation's turn; dropping it lets the next query in.
pub struct Permit<'a>(&'a Permits);

impl Permits {
    /// At most `limit` (at least one) evaluations at once.
    pub fn new(limit: usize) -> Self {
        Self { taken: Mutex::new(0), freed: Condvar::new(), limit: limit.max(1) }
    }

    /// Waits for a turn; `None` if `token` is cancelled first.
    pub fn acquire(&self, token: &CancellationToken) -> Option<Permit<'_>> {
        let mut taken = self.taken.lock().unwrap_or_else(|e| e.into_inner());
        while *taken >= self.limit {
            if token.is_cancelled() {
                return None;
            }
            taken = self.freed.wait_timeout(taken, CHECK_EVERY).unwrap_or_else(|e| e.into_inner()).0;
        }
        *taken += 1;
        Some(Permit(self))
    }
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        *self.0.taken.lock().unwrap_or_else(|e| e.into_inner()) -= 1;
        self.0.freed.notify_one();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn past_the_limit_a_query_waits_for_a_turn() {
        let permits = Arc::new(Permits::new(2));
        let token = CancellationToken::new();
        let first = permits.acquire(&token).unwrap();
        let _second = permits.acquire(&token).unwrap();
        let waiting = {
            let (permits, token) = (Arc::clone(&permits), token.clone());
            std::thread::spawn(move || permits.acquire(&token).is_some())
        };
        std::thread::sleep(CHECK_EVERY * 3);
        assert!(!waiting.is_finished(), "a third query waits while two evaluate");
        drop(first);
        assert!(waiting.join().unwrap(), "and evaluates when one is done");
    }

    #[test]
    fn a_waiting_query_that_is_cancelled_gives_up_its_place() {
        let permits = Arc::new(Permits::new(1));
        let _only = permits.acquire(&CancellationToken::new()).unwrap();
        let token = CancellationToken::new();
        let waiting = {
            let (permits, token) = (Arc::clone(&permits), token.clone());
            std::thread::spawn(move || permits.acquire(&token).is_some())
        };
        token.cancel();
        assert!(!waiting.join().unwrap());
        assert_eq!(*permits.taken.lock().unwrap(), 1, "giving up takes no turn");
    }
}
