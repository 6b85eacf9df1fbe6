//! Leases between nodes, in one process: two nodes' states over the same
//! database, a manual clock. A node whose lease runs out is released by the
//! other — its operator's connections lost, its client's counted no more —
//! and a node that was taken for dead while alive has its sockets reconnect
//! so that they are counted again.

use hovor_core::{Channel, Role};
use hovor_server::services::{client_presence, nodes};

use crate::harness::{eventually, TestApp, START};
use crate::on_both_stores;

on_both_stores!(
    a_node_whose_lease_ran_out_is_released_by_another,
    a_node_starting_beside_a_live_one_leaves_its_connections_alone,
);

async fn a_node_whose_lease_ran_out_is_released_by_another(app: TestApp) {
    nodes::join(&app.state).await.expect("join");
    let c = app.company("acme").await;
    let jana = app.user(&c, "Jana", Role::Operator).await;
    app.store()
        .assign_channels(&c.id, &jana.id, &[(Channel::Chat, 2)], None, START)
        .await
        .expect("assign")
        .into_unpublished();
    let tab = app.login(&jana).await;
    let mut ws = tab.ws(None).await;
    let (session, token) = app.start_chat("acme", "Karel").await;
    let _client = app.client_ws(&token, None).await;
    // A second node, alive (registered, not started: joining SQLite's
    // single node would reset everything, which the next test shows).
    let other = app.restarted_state().await;
    other
        .store
        .register_node(&other.node_id, START, START + 20_000)
        .await
        .expect("register");
    assert_eq!(tab.state_of(&jana.id).await["presence"], "online");

    // This node stops renewing (frozen); the other renews and finds it dead.
    app.clock.advance_ms(21_000);
    nodes::renew(&other).await.expect("renew");
    assert_eq!(nodes::release_dead(&other).await.expect("release"), 1);
    assert_eq!(nodes::release_dead(&other).await.expect("again"), 0, "once");
    assert_eq!(tab.state_of(&jana.id).await["presence"], "disconnected");
    let presence = app
        .store()
        .client_presence(&session)
        .await
        .expect("presence")
        .expect("session");
    assert_eq!(
        presence.connections, 0,
        "the client's socket counts no more"
    );
    // The client has the company's time to reconnect, from now.
    app.clock.advance_ms(59_000);
    assert_eq!(
        client_presence::abandon_gone_clients(&other)
            .await
            .expect("reap"),
        0
    );

    // The frozen node wakes: its lease is gone, so it takes a new one and
    // has its sockets reconnect; a reconnect counts Jana again.
    nodes::renew(&app.state).await.expect("renew");
    loop {
        match ws.try_next_message(std::time::Duration::from_secs(5)).await {
            Ok(None) => break,
            Ok(Some(_)) => continue,
            Err(()) => panic!("the socket stays open"),
        }
    }
    let _again = tab.ws(None).await;
    eventually("Jana online again", || async {
        tab.state_of(&jana.id).await["presence"] == "online"
    })
    .await;
}

async fn a_node_starting_beside_a_live_one_leaves_its_connections_alone(app: TestApp) {
    nodes::join(&app.state).await.expect("join");
    let c = app.company("acme").await;
    let jana = app.user(&c, "Jana", Role::Operator).await;
    let tab = app.login(&jana).await;
    let _ws = tab.ws(None).await;
    assert_eq!(tab.state_of(&jana.id).await["presence"], "online");
    let second = app.restarted_state().await;
    nodes::join(&second).await.expect("join");
    let expected = if app.store().backend() == "sqlite" {
        // SQLite has one node by definition: a start means the last one
        // died, and everything recorded before is lost.
        "disconnected"
    } else {
        "online"
    };
    assert_eq!(tab.state_of(&jana.id).await["presence"], expected);
}
