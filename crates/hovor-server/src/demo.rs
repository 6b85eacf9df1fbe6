//! `hovor demo`: a demo company to log into, created only if missing.

use hovor_core::group::Strategy;
use hovor_core::{Channel, Role};
use hovor_store::{NewUser, Store};

use crate::auth::hash_password;

pub const DEMO_SLUG: &str = "demo";
pub const DEMO_PASSWORD: &str = "demo1234";

/// A demo user: name, e-mail, role and assigned channels with capacities.
pub struct DemoUser(
    pub &'static str,
    pub &'static str,
    pub Role,
    pub &'static [(Channel, u32)],
);

pub const DEMO_USERS: &[DemoUser] = &[
    DemoUser(
        "Alena Administrátorová",
        "admin@demo.test",
        Role::Admin,
        &[],
    ),
    DemoUser(
        "Petra Svobodová",
        "supervisor@demo.test",
        Role::Supervisor,
        &[],
    ),
    DemoUser(
        "Jana Nováková",
        "jana@demo.test",
        Role::Operator,
        &[(Channel::Chat, 3), (Channel::Av, 1)],
    ),
    DemoUser(
        "Tomáš Dvořák",
        "tomas@demo.test",
        Role::Operator,
        &[(Channel::Chat, 2), (Channel::Email, 5)],
    ),
    DemoUser(
        "Eva Černá",
        "eva@demo.test",
        Role::Operator,
        &[(Channel::Chat, 3), (Channel::Phone, 1)],
    ),
];

/// The demo company is Czech: so are its pause types (the app's own texts
/// follow each user's language; a company's data is its own).
const DEMO_PAUSES: &[(&str, bool)] = &[
    ("Oběd", false),
    ("Osobní volno", false),
    ("Školení", true),
    ("Porada", true),
];

/// Creates the demo company unless it exists. Returns whether it was created.
pub async fn ensure_demo_company(
    store: &dyn Store,
    now: hovor_core::Millis,
) -> anyhow::Result<bool> {
    if store.company_by_slug(DEMO_SLUG).await?.is_some() {
        return Ok(false);
    }
    let company = store.create_company(DEMO_SLUG, "Demo s.r.o.", now).await?;
    let hash = tokio::task::spawn_blocking(|| hash_password(DEMO_PASSWORD)).await??;
    for DemoUser(name, email, role, channels) in DEMO_USERS {
        let user = store
            .create_user(
                &NewUser {
                    company_id: company.id.clone(),
                    name: (*name).into(),
                    email: (*email).into(),
                    role: *role,
                    password_hash: hash.clone(),
                    phone_extension: None,
                    groups: Vec::new(),
                },
                now,
            )
            .await?;
        if !channels.is_empty() {
            // Set up before the server serves: nobody is listening yet.
            store
                .assign_channels(&company.id, &user.id, channels, None, now)
                .await?
                .into_unpublished();
        }
        if channels.iter().any(|(c, _)| *c == Channel::Phone) {
            let extension = hovor_store::UserChange {
                phone_extension: Some(Some("201".into())),
                ..Default::default()
            };
            store.update_user(&company.id, &user.id, &extension).await?;
        }
    }
    let members: Vec<String> = store
        .users(&company.id)
        .await?
        .into_iter()
        .filter(|u| u.email == "jana@demo.test" || u.email == "tomas@demo.test")
        .map(|u| u.id)
        .collect();
    store
        .create_group(
            &company.id,
            "Sales",
            &members,
            None,
            Strategy::LongestIdle,
            now,
        )
        .await?;
    // One millisecond apart, so that they list in this order.
    for ((name, paid), at) in DEMO_PAUSES.iter().zip(now..) {
        store
            .create_pause_type(&company.id, name, *paid, at)
            .await?;
    }
    Ok(true)
}

pub fn credentials_text(url: &str) -> String {
    let mut text =
        format!("\nHovor demo is ready: open {url}\n\n  password for everyone: {DEMO_PASSWORD}\n");
    for DemoUser(name, email, role, _) in DEMO_USERS {
        text.push_str(&format!("  {:<11} {email:<22} {name}\n", role.as_str()));
    }
    text
}
