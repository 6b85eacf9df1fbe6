//! Commit, then publish — in this one place.
//!
//! Every store write returns what it committed ([`hovor_store::Committed`]);
//! publishing it here turns each [`Change`] into what follows from it: a
//! hint on the bus for the readers of a stream or a queue, routing's book
//! moved, and the reaction of routing (a pass, or an operator's offers taken
//! back). Status and routing never call each other: they meet here.

use std::collections::BTreeSet;

use hovor_core::Presence;
use hovor_store::{Change, Publisher};

use crate::bus::Hint;
use crate::AppState;

impl Publisher for AppState {
    fn publish(&self, changes: Vec<Change>) {
        let mut queues = BTreeSet::new();
        let mut passes = BTreeSet::new();
        for change in changes {
            match change {
                Change::Appended { stream, seq, event } => {
                    if event.kind == "message.created" && !stream.starts_with("wh_") {
                        self.metrics.messages.inc();
                    }
                    // This node's readers take it from memory; the hint
                    // tells every node's readers how far the stream goes.
                    self.hub.remember(&stream, event);
                    self.bus.publish(Hint::Stream { stream, seq });
                }
                Change::SessionMoved { company_id } => {
                    queues.insert(company_id.clone());
                    passes.insert(company_id);
                }
                Change::SessionPlace {
                    company_id,
                    session_id,
                    seq,
                    at,
                    place,
                } => {
                    // The other nodes' books follow over the bus.
                    self.bus.publish_to_others(Hint::SessionPlace {
                        company_id: company_id.clone(),
                        session_id: session_id.clone(),
                        seq,
                        at,
                        place: place.clone(),
                    });
                    self.routing_books
                        .session_moved(&company_id, &session_id, seq, at, place);
                }
                Change::OfferChanged { company_id } => {
                    queues.insert(company_id);
                }
                Change::OperatorState {
                    company_id,
                    user_id,
                    presence,
                } => {
                    self.routing_books.operators_changed(&company_id);
                    match presence {
                        Presence::Online => {
                            passes.insert(company_id);
                        }
                        // Gone for routing: their offers go back to the queue.
                        Presence::Offline => self.routing.operator_gone(&company_id, &user_id),
                        Presence::Disconnected | Presence::Away | Presence::Break => {}
                    }
                }
                Change::OperatorChannels { company_id, .. } => {
                    self.routing_books.operators_changed(&company_id);
                    passes.insert(company_id);
                }
            }
        }
        // Waiting clients' places and operators' queues are derived state:
        // one hint per company, after the stream hints.
        for company_id in queues {
            self.bus.publish(Hint::Queue { company_id });
        }
        for company_id in passes {
            self.routing.route(&company_id);
        }
    }
}
