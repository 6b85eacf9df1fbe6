//! Reports for supervisors and admins, as pure computations over loaded
//! facts: a window split into the local days, ISO weeks or hours of a time
//! zone ([`calendar`]), time per presence and handled sessions in each of
//! them ([`presence`]), and the queue's waits and service level ([`queue`]).

pub mod calendar;
pub mod presence;
pub mod queue;

pub use calendar::{buckets, check_window, parse_tz, Bucket, Period, Tz, WindowError};
