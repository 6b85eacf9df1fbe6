//! The SQL behind both stores, written once.
//!
//! `sql_store!` expands to a full `Store` implementation for a struct that
//! has `reader()` and `writer()` pools and a `LOCK` suffix (`FOR UPDATE` on
//! PostgreSQL, empty on SQLite, whose single writer already serialises). The
//! queries use `$1`-style parameters, which both drivers accept.

macro_rules! sql_store {
    ($store:ty, $db:ty, $row:ty, $backend:literal) => {
        use async_trait::async_trait;
        use hovor_core::{
            Cause, Channel, ChannelSetting, Command, CompanySettings, HistorySpan, Millis,
            OperatorState, Presence, Role, Status,
        };
        use hovor_core::routing::{Candidate, Waiting};
        use hovor_core::notifications::NotificationSettings;
        use hovor_core::session::{Author, EndReason, SessionStatus, Source};
        use sqlx::Row;

        use crate::{
            new_id, outbox_stream, CallReport, TelephonyFacts, ApiKey, AttemptOutcome, ChannelChange, Webhook, WebhookAttempt, ClientInfo, Company, Group, Invitation, Message, NewInvitation, NewSession, QueuePlace,
            Session, SessionChange, SessionFilter, TransferTarget, UserChange, Writer, HistoryEntry, NewAuthSession, NewUser, PauseType,
            PauseTypeRef, StateChange, StateView, Store, StoreError, StoreResult, StreamEvent,
            User,
        };

        const USER_COLUMNS: &str = "u.id, u.company_id, u.name, u.email, u.role, u.phone_extension, u.active";
        const STATE_COLUMNS: &str = "s.logged_in, s.status, s.pause_type_id, s.live_connections, \
             s.disconnected_since, s.grace_expired, s.since, s.cause, p.name AS pause_name, p.paid AS pause_paid";

        fn corrupt(what: &str, value: &str) -> StoreError {
            StoreError::Corrupt(format!("{what} {value:?}"))
        }

        fn user_from_row(row: &$row) -> StoreResult<User> {
            let role: String = row.try_get("role")?;
            Ok(User {
                id: row.try_get("id")?,
                company_id: row.try_get("company_id")?,
                name: row.try_get("name")?,
                email: row.try_get("email")?,
                role: Role::parse(&role).ok_or_else(|| corrupt("role", &role))?,
                phone_extension: row.try_get("phone_extension")?,
                active: row.try_get("active")?,
            })
        }

        fn company_from_row(row: &$row) -> StoreResult<Company> {
            let settings: String = row.try_get("settings")?;
            Ok(Company {
                id: row.try_get("id")?,
                slug: row.try_get("slug")?,
                name: row.try_get("name")?,
                settings: serde_json::from_str(&settings)
                    .map_err(|e| StoreError::Corrupt(format!("company settings: {e}")))?,
            })
        }

        fn pause_type_from_row(row: &$row) -> StoreResult<PauseType> {
            Ok(PauseType {
                id: row.try_get("id")?,
                name: row.try_get("name")?,
                paid: row.try_get("paid")?,
                archived: row.try_get("archived")?,
            })
        }

        fn pause_ref(id: Option<String>, name: Option<String>, paid: Option<bool>) -> Option<PauseTypeRef> {
            match (id, name) {
                (Some(id), Some(name)) => Some(PauseTypeRef { id, name, paid: paid.unwrap_or(false) }),
                _ => None,
            }
        }

        fn state_view_from_row(row: &$row) -> StoreResult<StateView> {
            let operator = user_from_row(row)?;
            let status: String = row.try_get("status")?;
            let cause: String = row.try_get("cause")?;
            let pause_type_id: Option<String> = row.try_get("pause_type_id")?;
            let live: i64 = row.try_get("live_connections")?;
            let state = OperatorState {
                logged_in: row.try_get("logged_in")?,
                status: Status::parse(&status).ok_or_else(|| corrupt("status", &status))?,
                pause_type_id: pause_type_id.clone(),
                live_connections: u32::try_from(live).unwrap_or(0),
                disconnected_since: row.try_get("disconnected_since")?,
                grace_expired: row.try_get("grace_expired")?,
                since: row.try_get("since")?,
                cause: Cause::parse(&cause).ok_or_else(|| corrupt("cause", &cause))?,
            };
            let pause_type = pause_ref(pause_type_id, row.try_get("pause_name")?, row.try_get("pause_paid")?);
            Ok(StateView { operator, state, pause_type })
        }

        fn api_key_from_row(row: &$row) -> StoreResult<ApiKey> {
            let scopes: String = row.try_get("scopes")?;
            Ok(ApiKey {
                id: row.try_get("id")?,
                company_id: row.try_get("company_id")?,
                name: row.try_get("name")?,
                scopes: scopes.split(',').filter(|s| !s.is_empty()).map(str::to_owned).collect(),
                created_at: row.try_get("created_at")?,
            })
        }

        type Tx = sqlx::Transaction<'static, $db>;

        /// The streams that hear about a change to `user_id`: their own, and
        /// those of every supervisor and admin of the company.
        async fn user_and_watchers(tx: &mut Tx, company_id: &str, user_id: &str) -> StoreResult<Vec<String>> {
            let mut streams = vec![user_id.to_owned()];
            let watchers = sqlx::query("SELECT id FROM users WHERE company_id = $1 AND active AND role IN ('admin', 'supervisor') AND id <> $2")
                .bind(company_id).bind(user_id).fetch_all(&mut **tx).await?;
            for w in &watchers {
                streams.push(w.try_get("id")?);
            }
            Ok(streams)
        }

        /// Appends one event to each stream, numbering it in that stream.
        /// Returns the `(stream, seq)` hints to publish after the commit.
        async fn append_to_streams(tx: &mut Tx, streams: &[String], kind: &str, payload: &str, now: Millis) -> StoreResult<Vec<(String, i64)>> {
            let mut written = Vec::with_capacity(streams.len());
            for stream in streams {
                sqlx::query("INSERT INTO streams (stream, last_seq) VALUES ($1, 0) ON CONFLICT (stream) DO NOTHING")
                    .bind(stream).execute(&mut **tx).await?;
                let seq: i64 = sqlx::query("UPDATE streams SET last_seq = last_seq + 1 WHERE stream = $1 RETURNING last_seq")
                    .bind(stream).fetch_one(&mut **tx).await?.try_get("last_seq")?;
                sqlx::query("INSERT INTO events (stream, seq, kind, payload, created_at) VALUES ($1, $2, $3, $4, $5)")
                    .bind(stream).bind(seq).bind(kind).bind(payload).bind(now)
                    .execute(&mut **tx).await?;
                written.push((stream.clone(), seq));
            }
            Ok(written)
        }

        /// Writes a webhook event into the company's outbox, in the caller's
        /// transaction: it exists exactly when the change does.
        async fn emit(tx: &mut Tx, company_id: &str, kind: &str, data: serde_json::Value, now: Millis) -> StoreResult<Vec<(String, i64)>> {
            append_to_streams(tx, &[outbox_stream(company_id)], kind, &data.to_string(), now).await
        }

        fn webhook_from_row(row: &$row) -> StoreResult<Webhook> {
            let events: String = row.try_get("events")?;
            Ok(Webhook {
                id: row.try_get("id")?,
                company_id: row.try_get("company_id")?,
                url: row.try_get("url")?,
                events: events.split(',').filter(|e| !e.is_empty()).map(str::to_owned).collect(),
                secret: row.try_get("secret")?,
                active: row.try_get("active")?,
                created_at: row.try_get("created_at")?,
                cursor_seq: row.try_get("cursor_seq")?,
                attempts: row.try_get("attempts")?,
                failing_since: row.try_get("failing_since")?,
                retry_at: row.try_get("retry_at")?,
            })
        }

        const WEBHOOK_COLUMNS: &str = "w.id, w.company_id, w.url, w.events, w.secret, w.active, w.created_at, w.cursor_seq, w.attempts, w.failing_since, w.retry_at";

        fn channel_from_row(row: &$row) -> StoreResult<ChannelSetting> {
            let name: String = row.try_get("channel")?;
            let capacity: i64 = row.try_get("capacity")?;
            Ok(ChannelSetting {
                channel: Channel::parse(&name).ok_or_else(|| corrupt("channel", &name))?,
                enabled: row.try_get("enabled")?,
                capacity: u32::try_from(capacity).unwrap_or(0),
            })
        }

        async fn channels_in(tx: &mut Tx, user_id: &str) -> StoreResult<Vec<ChannelSetting>> {
            let rows = sqlx::query("SELECT channel, capacity, enabled FROM operator_channels WHERE user_id = $1")
                .bind(user_id).fetch_all(&mut **tx).await?;
            let mut list = rows.iter().map(channel_from_row).collect::<StoreResult<Vec<_>>>()?;
            list.sort_by_key(|c| c.channel);
            Ok(list)
        }

        /// Writes `operator.channel_changed` for the user and their watchers.
        async fn channel_event(tx: &mut Tx, company_id: &str, user_id: &str, now: Millis) -> StoreResult<ChannelChange> {
            let channels = channels_in(tx, user_id).await?;
            let name: String = sqlx::query("SELECT name FROM users WHERE id = $1")
                .bind(user_id).fetch_one(&mut **tx).await?.try_get("name")?;
            let payload = serde_json::json!({ "operator_id": user_id, "name": name, "channels": channels }).to_string();
            let streams = user_and_watchers(tx, company_id, user_id).await?;
            let mut written = append_to_streams(tx, &streams, "operator.channel_changed", &payload, now).await?;
            let data: serde_json::Value = serde_json::from_str(&payload).unwrap_or_default();
            written.extend(emit(tx, company_id, "operator.channel_changed", data, now).await?);
            Ok(ChannelChange { channels, written })
        }

        const SESSION_COLUMNS: &str = "s.id, s.company_id, s.channel, s.source, s.status, s.group_id, s.target_operator_id, \
             s.operator_id, s.offered_to, s.offer_deadline, s.client_name, s.client_email, s.client_phone, s.page_url, \
             s.created_at, s.queued_at, s.accepted_at, s.ended_at, s.end_reason";

        fn session_from_row(row: &$row) -> StoreResult<Session> {
            let channel: String = row.try_get("channel")?;
            let source: String = row.try_get("source")?;
            let status: String = row.try_get("status")?;
            let end_reason: Option<String> = row.try_get("end_reason")?;
            Ok(Session {
                id: row.try_get("id")?,
                company_id: row.try_get("company_id")?,
                channel: Channel::parse(&channel).ok_or_else(|| corrupt("channel", &channel))?,
                source: Source::parse(&source).ok_or_else(|| corrupt("source", &source))?,
                status: SessionStatus::parse(&status).ok_or_else(|| corrupt("status", &status))?,
                group_id: row.try_get("group_id")?,
                target_operator_id: row.try_get("target_operator_id")?,
                operator_id: row.try_get("operator_id")?,
                offered_to: row.try_get("offered_to")?,
                offer_expires_at: row.try_get("offer_deadline")?,
                client: ClientInfo {
                    name: row.try_get("client_name")?,
                    email: row.try_get("client_email")?,
                    phone: row.try_get("client_phone")?,
                },
                page_url: row.try_get("page_url")?,
                created_at: row.try_get("created_at")?,
                queued_at: row.try_get("queued_at")?,
                accepted_at: row.try_get("accepted_at")?,
                ended_at: row.try_get("ended_at")?,
                end_reason: match end_reason {
                    Some(r) => Some(EndReason::parse(&r).ok_or_else(|| corrupt("end reason", &r))?),
                    None => None,
                },
            })
        }

        fn message_from_row(row: &$row) -> StoreResult<Message> {
            let author: String = row.try_get("author")?;
            Ok(Message {
                seq: row.try_get("seq")?,
                author: Author::parse(&author).ok_or_else(|| corrupt("author", &author))?,
                operator_id: row.try_get("operator_id")?,
                operator_name: row.try_get("operator_name")?,
                text: row.try_get("text")?,
                sent_at: row.try_get("sent_at")?,
            })
        }

        /// Loads a session of the company, locking it for this transaction.
        async fn locked_session(tx: &mut Tx, company_id: &str, id: &str) -> StoreResult<Session> {
            let sql = format!("SELECT {SESSION_COLUMNS} FROM sessions s WHERE s.company_id = $1 AND s.id = $2{}", <$store>::LOCK);
            let row = sqlx::query(&sql).bind(company_id).bind(id).fetch_optional(&mut **tx).await?;
            session_from_row(&row.ok_or(StoreError::NotFound)?)
        }

        async fn reload_session(tx: &mut Tx, id: &str) -> StoreResult<Session> {
            let sql = format!("SELECT {SESSION_COLUMNS} FROM sessions s WHERE s.id = $1");
            let row = sqlx::query(&sql).bind(id).fetch_one(&mut **tx).await?;
            session_from_row(&row)
        }

        /// Serialises decisions about one operator (their load) across nodes.
        async fn lock_operator(tx: &mut Tx, operator_id: &str) -> StoreResult<()> {
            let sql = format!("SELECT s.user_id FROM operator_states s WHERE s.user_id = $1{}", <$store>::LOCK);
            sqlx::query(&sql).bind(operator_id).fetch_optional(&mut **tx).await?;
            Ok(())
        }

        /// Sessions active or offered to the operator on a channel, and whether
        /// they are on a call at all.
        async fn operator_load(tx: &mut Tx, operator_id: &str, channel: Channel) -> StoreResult<(i64, bool)> {
            let row = sqlx::query("SELECT \
                    COALESCE(SUM(CASE WHEN channel = $2 THEN 1 ELSE 0 END), 0) AS on_channel, \
                    COALESCE(SUM(CASE WHEN channel IN ('av', 'phone') THEN 1 ELSE 0 END), 0) AS calls \
                    FROM sessions WHERE (status = 'active' AND operator_id = $1) OR (status = 'offered' AND offered_to = $1)")
                .bind(operator_id).bind(channel.as_str()).fetch_one(&mut **tx).await?;
            let on_channel: i64 = row.try_get("on_channel")?;
            let calls: i64 = row.try_get("calls")?;
            Ok((on_channel, calls > 0))
        }

        async fn place_in(conn: &mut <$db as sqlx::Database>::Connection, session: &Session) -> StoreResult<QueuePlace> {
            if !session.status.queued() {
                return Ok(QueuePlace::default());
            }
            let ahead: i64 = sqlx::query("SELECT COUNT(*) AS n FROM sessions WHERE company_id = $1 AND channel = $2 \
                                          AND status IN ('waiting', 'offered') AND (queued_at < $3 OR (queued_at = $3 AND id < $4))")
                .bind(&session.company_id).bind(session.channel.as_str()).bind(session.queued_at).bind(&session.id)
                .fetch_one(&mut *conn).await?.try_get("n")?;
            let average: Option<i64> = sqlx::query("SELECT CAST(AVG(accepted_at - queued_at) AS BIGINT) AS w FROM \
                                                    (SELECT accepted_at, queued_at FROM sessions WHERE company_id = $1 AND accepted_at IS NOT NULL \
                                                     ORDER BY accepted_at DESC LIMIT 20) recent")
                .bind(&session.company_id).fetch_one(&mut *conn).await?.try_get("w")?;
            let position = ahead + 1;
            let per_client_ms = average.unwrap_or(60_000).max(5_000);
            Ok(QueuePlace {
                position: Some(position),
                estimated_wait_s: (session.status == SessionStatus::Waiting).then_some(position * per_client_ms / 1000),
            })
        }

        /// Writes the events of a session change: `session.changed` with the
        /// queue place to the client, `ops_kind` with the session to the given
        /// operators. (`queue.changed` is not stored: see `Hint::Queue`.)
        async fn announce(tx: &mut Tx, session: &Session, ops_kind: &str, operators: &[Option<String>], now: Millis) -> StoreResult<Vec<(String, i64)>> {
            let place = place_in(&mut **tx, session).await?;
            let client_payload = serde_json::json!({
                "session": session,
                "queue_position": place.position,
                "estimated_wait_s": place.estimated_wait_s,
            }).to_string();
            let mut written = append_to_streams(tx, std::slice::from_ref(&session.id), "session.changed", &client_payload, now).await?;
            let mut streams: Vec<String> = operators.iter().flatten().cloned().collect();
            streams.sort();
            streams.dedup();
            if !streams.is_empty() {
                let payload = serde_json::json!({ "session": session }).to_string();
                written.extend(append_to_streams(tx, &streams, ops_kind, &payload, now).await?);
            }
            Ok(written)
        }

        /// Stores a message and tells the client and the operator who has it.
        async fn write_message(tx: &mut Tx, session: &Session, writer: &Writer, text: &str, now: Millis) -> StoreResult<(Message, bool, Vec<(String, i64)>)> {
            if let Writer::Client { client_msg_id: Some(id) } = writer {
                let row = sqlx::query("SELECT m.seq, m.author, m.operator_id, NULL AS operator_name, m.text, m.sent_at \
                                       FROM messages m WHERE m.session_id = $1 AND m.client_msg_id = $2")
                    .bind(&session.id).bind(id).fetch_optional(&mut **tx).await?;
                if let Some(row) = row {
                    return Ok((message_from_row(&row)?, false, Vec::new()));
                }
            }
            let seq: i64 = sqlx::query("SELECT COALESCE(MAX(seq), 0) + 1 AS n FROM messages WHERE session_id = $1")
                .bind(&session.id).fetch_one(&mut **tx).await?.try_get("n")?;
            let (author, operator_id, client_msg_id) = match writer {
                Writer::Client { client_msg_id } => (Author::Client, None, client_msg_id.clone()),
                Writer::Operator(id) => (Author::Operator, Some(id.clone()), None),
                Writer::System => (Author::System, None, None),
            };
            sqlx::query("INSERT INTO messages (session_id, seq, author, operator_id, text, client_msg_id, sent_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
                .bind(&session.id).bind(seq).bind(author.as_str()).bind(&operator_id).bind(text).bind(&client_msg_id).bind(now)
                .execute(&mut **tx).await?;
            let operator_name: Option<String> = match &operator_id {
                Some(id) => sqlx::query("SELECT name FROM users WHERE id = $1").bind(id).fetch_optional(&mut **tx).await?
                    .map(|r| r.try_get("name")).transpose()?,
                None => None,
            };
            let message = Message { seq, author, operator_id, operator_name, text: text.to_owned(), sent_at: now };
            let mut hooks = emit(tx, &session.company_id, "message.created", serde_json::json!({ "session_id": session.id, "message": message }), now).await?;
            let mut written = append_to_streams(tx, std::slice::from_ref(&session.id), "message.created",
                &serde_json::json!({ "message": message }).to_string(), now).await?;
            if let (SessionStatus::Active, Some(op)) = (session.status, &session.operator_id) {
                written.extend(append_to_streams(tx, std::slice::from_ref(op), "message.created",
                    &serde_json::json!({ "session_id": session.id, "message": message }).to_string(), now).await?);
            }
            written.append(&mut hooks);
            Ok((message, true, written))
        }

        const INVITATION_COLUMNS: &str = "i.id, i.company_id, i.code, i.operator_id, u.name AS operator_name, i.reusable, i.label, \
             i.created_by, i.created_at, i.uses, i.invalidated_at";

        fn invitation_from_row(row: &$row) -> StoreResult<Invitation> {
            Ok(Invitation {
                id: row.try_get("id")?,
                company_id: row.try_get("company_id")?,
                code: row.try_get("code")?,
                operator_id: row.try_get("operator_id")?,
                operator_name: row.try_get("operator_name")?,
                reusable: row.try_get("reusable")?,
                label: row.try_get("label")?,
                created_by: row.try_get("created_by")?,
                created_at: row.try_get("created_at")?,
                uses: row.try_get("uses")?,
                invalidated_at: row.try_get("invalidated_at")?,
            })
        }

        fn rejected(code: &'static str, message: &str) -> StoreError {
            StoreError::Rejected { code, message: message.to_owned() }
        }

        fn is_unique_violation(e: &sqlx::Error) -> bool {
            matches!(e, sqlx::Error::Database(d) if d.is_unique_violation())
        }

        impl $store {
            /// Begins a write transaction that appends stream events for a
            /// company. On PostgreSQL it first takes the company's advisory
            /// lock, so such transactions run one at a time per company and
            /// can never deadlock on the stream counters; SQLite's single
            /// writer gives the same order by itself.
            async fn begin_for(&self, company_id: &str) -> StoreResult<Tx> {
                let mut tx = self.writer().begin().await?;
                if !Self::COMPANY_LOCK.is_empty() {
                    sqlx::query(Self::COMPANY_LOCK).bind(company_id).execute(&mut *tx).await?;
                }
                Ok(tx)
            }
        }

        #[async_trait]
        impl Store for $store {
            fn backend(&self) -> &'static str {
                $backend
            }

            async fn create_company(&self, slug: &str, name: &str, now: Millis) -> StoreResult<Company> {
                let settings = CompanySettings::default();
                let company = Company { id: new_id("cmp"), slug: slug.to_owned(), name: name.to_owned(), settings };
                let settings_text = serde_json::to_string(&company.settings)
                    .map_err(|e| StoreError::Corrupt(e.to_string()))?;
                let mut tx = self.writer().begin().await?;
                sqlx::query("INSERT INTO companies (id, slug, name, settings, created_at) VALUES ($1, $2, $3, $4, $5)")
                    .bind(&company.id).bind(slug).bind(name).bind(settings_text).bind(now)
                    .execute(&mut *tx).await
                    .map_err(|e| if is_unique_violation(&e) { StoreError::Conflict(format!("company {slug} exists")) } else { e.into() })?;
                sqlx::query("INSERT INTO groups (id, company_id, name, strategy, max_queue, builtin, created_at) VALUES ($1, $2, 'All operators', 'longest_idle', NULL, $3, $4)")
                    .bind(format!("grp_all_{}", company.id)).bind(&company.id).bind(true).bind(now)
                    .execute(&mut *tx).await?;
                tx.commit().await?;
                Ok(company)
            }

            async fn company(&self, id: &str) -> StoreResult<Option<Company>> {
                let row = sqlx::query("SELECT id, slug, name, settings FROM companies WHERE id = $1")
                    .bind(id).fetch_optional(self.reader()).await?;
                row.as_ref().map(company_from_row).transpose()
            }

            async fn company_by_slug(&self, slug: &str) -> StoreResult<Option<Company>> {
                let row = sqlx::query("SELECT id, slug, name, settings FROM companies WHERE slug = $1")
                    .bind(slug).fetch_optional(self.reader()).await?;
                row.as_ref().map(company_from_row).transpose()
            }

            async fn save_company_settings(&self, company_id: &str, settings: &CompanySettings) -> StoreResult<()> {
                let text = serde_json::to_string(settings).map_err(|e| StoreError::Corrupt(e.to_string()))?;
                let done = sqlx::query("UPDATE companies SET settings = $1 WHERE id = $2")
                    .bind(text).bind(company_id).execute(self.writer()).await?;
                if done.rows_affected() == 0 { return Err(StoreError::NotFound); }
                Ok(())
            }

            async fn create_user(&self, new: &NewUser, now: Millis) -> StoreResult<User> {
                let user = User {
                    id: new_id("usr"),
                    company_id: new.company_id.clone(),
                    name: new.name.clone(),
                    email: new.email.trim().to_lowercase(),
                    role: new.role,
                    phone_extension: None,
                    active: true,
                };
                let mut tx = self.writer().begin().await?;
                sqlx::query("INSERT INTO users (id, company_id, name, email, role, password_hash, active, created_at) \
                             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
                    .bind(&user.id).bind(&user.company_id).bind(&user.name).bind(&user.email)
                    .bind(user.role.as_str()).bind(&new.password_hash).bind(true).bind(now)
                    .execute(&mut *tx).await
                    .map_err(|e| if is_unique_violation(&e) { StoreError::Conflict("a user with this e-mail exists".into()) } else { e.into() })?;
                let initial = OperatorState::new(now);
                sqlx::query("INSERT INTO operator_states (user_id, company_id, logged_in, status, pause_type_id, live_connections, \
                             disconnected_since, grace_expired, since, cause) VALUES ($1, $2, $3, $4, NULL, 0, NULL, $5, $6, $7)")
                    .bind(&user.id).bind(&user.company_id).bind(initial.logged_in).bind(initial.status.as_str())
                    .bind(initial.grace_expired).bind(now).bind(initial.cause.as_str())
                    .execute(&mut *tx).await?;
                tx.commit().await?;
                Ok(user)
            }

            async fn user(&self, company_id: &str, id: &str) -> StoreResult<Option<User>> {
                let sql = format!("SELECT {USER_COLUMNS} FROM users u WHERE u.company_id = $1 AND u.id = $2");
                let row = sqlx::query(&sql).bind(company_id).bind(id).fetch_optional(self.reader()).await?;
                row.as_ref().map(user_from_row).transpose()
            }

            async fn user_for_login(&self, email: &str) -> StoreResult<Option<(User, String)>> {
                let sql = format!("SELECT {USER_COLUMNS}, u.password_hash FROM users u WHERE u.email = $1 AND u.active");
                let row = sqlx::query(&sql).bind(email.trim().to_lowercase()).fetch_optional(self.reader()).await?;
                match row {
                    Some(row) => Ok(Some((user_from_row(&row)?, row.try_get("password_hash")?))),
                    None => Ok(None),
                }
            }

            async fn users(&self, company_id: &str) -> StoreResult<Vec<User>> {
                let sql = format!("SELECT {USER_COLUMNS} FROM users u WHERE u.company_id = $1 AND u.active ORDER BY u.name, u.id");
                let rows = sqlx::query(&sql).bind(company_id).fetch_all(self.reader()).await?;
                rows.iter().map(user_from_row).collect()
            }

            async fn update_user(&self, company_id: &str, id: &str, change: &UserChange) -> StoreResult<Option<User>> {
                let email = change.email.as_ref().map(|e| e.trim().to_lowercase());
                let mut tx = self.writer().begin().await?;
                if let Some(extension) = &change.phone_extension {
                    sqlx::query("UPDATE users SET phone_extension = $3 WHERE company_id = $1 AND id = $2 AND active")
                        .bind(company_id).bind(id).bind(extension).execute(&mut *tx).await
                        .map_err(|e| if is_unique_violation(&e) { rejected("extension_taken", "another user has this extension") } else { e.into() })?;
                }
                let row = sqlx::query("UPDATE users SET name = COALESCE($3, name), email = COALESCE($4, email), \
                                       role = COALESCE($5, role), password_hash = COALESCE($6, password_hash) \
                                       WHERE company_id = $1 AND id = $2 AND active \
                                       RETURNING id, company_id, name, email, role, phone_extension, active")
                    .bind(company_id).bind(id).bind(&change.name).bind(email)
                    .bind(change.role.map(Role::as_str)).bind(&change.password_hash)
                    .fetch_optional(&mut *tx).await
                    .map_err(|e| if is_unique_violation(&e) { StoreError::Conflict("a user with this e-mail exists".into()) } else { e.into() })?;
                tx.commit().await?;
                row.as_ref().map(user_from_row).transpose()
            }

            async fn deactivate_user(&self, company_id: &str, id: &str) -> StoreResult<bool> {
                let mut tx = self.writer().begin().await?;
                let done = sqlx::query("UPDATE users SET active = $3 WHERE company_id = $1 AND id = $2 AND active")
                    .bind(company_id).bind(id).bind(false).execute(&mut *tx).await?;
                if done.rows_affected() == 0 {
                    return Ok(false);
                }
                sqlx::query("DELETE FROM auth_sessions WHERE user_id = $1").bind(id).execute(&mut *tx).await?;
                tx.commit().await?;
                Ok(true)
            }

            async fn create_auth_session(&self, s: &NewAuthSession) -> StoreResult<()> {
                sqlx::query("INSERT INTO auth_sessions (token_hash, user_id, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)")
                    .bind(&s.token_hash).bind(&s.user_id).bind(&s.csrf_token).bind(s.created_at).bind(s.expires_at)
                    .execute(self.writer()).await?;
                Ok(())
            }

            async fn auth_session(&self, token_hash: &str, now: Millis) -> StoreResult<Option<(User, String)>> {
                let sql = format!("SELECT {USER_COLUMNS}, a.csrf_token FROM auth_sessions a JOIN users u ON u.id = a.user_id \
                                   WHERE a.token_hash = $1 AND a.expires_at > $2 AND u.active");
                let row = sqlx::query(&sql).bind(token_hash).bind(now).fetch_optional(self.reader()).await?;
                match row {
                    Some(row) => Ok(Some((user_from_row(&row)?, row.try_get("csrf_token")?))),
                    None => Ok(None),
                }
            }

            async fn delete_auth_sessions_of(&self, user_id: &str) -> StoreResult<()> {
                sqlx::query("DELETE FROM auth_sessions WHERE user_id = $1").bind(user_id).execute(self.writer()).await?;
                Ok(())
            }

            async fn create_api_key(&self, company_id: &str, name: &str, key_hash: &str, scopes: &[String], now: Millis) -> StoreResult<ApiKey> {
                let id = new_id("key");
                sqlx::query("INSERT INTO api_keys (id, company_id, name, key_hash, scopes, created_at, revoked_at) VALUES ($1, $2, $3, $4, $5, $6, NULL)")
                    .bind(&id).bind(company_id).bind(name).bind(key_hash).bind(scopes.join(",")).bind(now)
                    .execute(self.writer()).await?;
                Ok(ApiKey { id, company_id: company_id.to_owned(), name: name.to_owned(), scopes: scopes.to_vec(), created_at: now })
            }

            async fn api_key_by_hash(&self, key_hash: &str) -> StoreResult<Option<ApiKey>> {
                let row = sqlx::query("SELECT id, company_id, name, scopes, created_at FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL")
                    .bind(key_hash).fetch_optional(self.reader()).await?;
                row.as_ref().map(api_key_from_row).transpose()
            }

            async fn api_keys(&self, company_id: &str) -> StoreResult<Vec<ApiKey>> {
                let rows = sqlx::query("SELECT id, company_id, name, scopes, created_at FROM api_keys WHERE company_id = $1 AND revoked_at IS NULL ORDER BY created_at, id")
                    .bind(company_id).fetch_all(self.reader()).await?;
                rows.iter().map(api_key_from_row).collect()
            }

            async fn revoke_api_key(&self, company_id: &str, id: &str, now: Millis) -> StoreResult<bool> {
                let done = sqlx::query("UPDATE api_keys SET revoked_at = $3 WHERE company_id = $1 AND id = $2 AND revoked_at IS NULL")
                    .bind(company_id).bind(id).bind(now).execute(self.writer()).await?;
                Ok(done.rows_affected() > 0)
            }

            async fn pause_types(&self, company_id: &str) -> StoreResult<Vec<PauseType>> {
                let rows = sqlx::query("SELECT id, name, paid, archived FROM pause_types WHERE company_id = $1 ORDER BY created_at, id")
                    .bind(company_id).fetch_all(self.reader()).await?;
                rows.iter().map(pause_type_from_row).collect()
            }

            async fn pause_type(&self, company_id: &str, id: &str) -> StoreResult<Option<PauseType>> {
                let row = sqlx::query("SELECT id, name, paid, archived FROM pause_types WHERE company_id = $1 AND id = $2")
                    .bind(company_id).bind(id).fetch_optional(self.reader()).await?;
                row.as_ref().map(pause_type_from_row).transpose()
            }

            async fn create_pause_type(&self, company_id: &str, name: &str, paid: bool, now: Millis) -> StoreResult<PauseType> {
                let p = PauseType { id: new_id("pau"), name: name.to_owned(), paid, archived: false };
                sqlx::query("INSERT INTO pause_types (id, company_id, name, paid, archived, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
                    .bind(&p.id).bind(company_id).bind(name).bind(paid).bind(false).bind(now)
                    .execute(self.writer()).await?;
                Ok(p)
            }

            async fn update_pause_type(&self, company_id: &str, id: &str, name: Option<&str>, paid: Option<bool>) -> StoreResult<Option<PauseType>> {
                let row = sqlx::query("UPDATE pause_types SET name = COALESCE($3, name), paid = COALESCE($4, paid) \
                                       WHERE company_id = $1 AND id = $2 RETURNING id, name, paid, archived")
                    .bind(company_id).bind(id).bind(name).bind(paid)
                    .fetch_optional(self.writer()).await?;
                row.as_ref().map(pause_type_from_row).transpose()
            }

            async fn archive_pause_type(&self, company_id: &str, id: &str) -> StoreResult<bool> {
                let done = sqlx::query("UPDATE pause_types SET archived = $3 WHERE company_id = $1 AND id = $2")
                    .bind(company_id).bind(id).bind(true).execute(self.writer()).await?;
                Ok(done.rows_affected() > 0)
            }

            async fn operator_state(&self, company_id: &str, user_id: &str) -> StoreResult<Option<StateView>> {
                let sql = format!("SELECT {USER_COLUMNS}, {STATE_COLUMNS} FROM operator_states s \
                                   JOIN users u ON u.id = s.user_id LEFT JOIN pause_types p ON p.id = s.pause_type_id \
                                   WHERE s.company_id = $1 AND s.user_id = $2");
                let row = sqlx::query(&sql).bind(company_id).bind(user_id).fetch_optional(self.reader()).await?;
                row.as_ref().map(state_view_from_row).transpose()
            }

            async fn operator_states(&self, company_id: &str) -> StoreResult<Vec<StateView>> {
                let sql = format!("SELECT {USER_COLUMNS}, {STATE_COLUMNS} FROM operator_states s \
                                   JOIN users u ON u.id = s.user_id LEFT JOIN pause_types p ON p.id = s.pause_type_id \
                                   WHERE s.company_id = $1 AND u.active ORDER BY u.name, u.id");
                let rows = sqlx::query(&sql).bind(company_id).fetch_all(self.reader()).await?;
                rows.iter().map(state_view_from_row).collect()
            }

            async fn apply_state_command(&self, company_id: &str, user_id: &str, command: Command, now: Millis) -> StoreResult<StateChange> {
                let mut tx = self.begin_for(company_id).await?;
                let sql = format!("SELECT {USER_COLUMNS}, {STATE_COLUMNS} FROM operator_states s \
                                   JOIN users u ON u.id = s.user_id LEFT JOIN pause_types p ON p.id = s.pause_type_id \
                                   WHERE s.company_id = $1 AND s.user_id = $2{}", Self::LOCK);
                let row = sqlx::query(&sql).bind(company_id).bind(user_id).fetch_optional(&mut *tx).await?;
                let mut view = state_view_from_row(&row.ok_or(StoreError::NotFound)?)?;

                if let Command::SetStatus { pause_type_id: Some(pause_id), .. } = &command {
                    let row = sqlx::query("SELECT id, name, paid, archived FROM pause_types WHERE company_id = $1 AND id = $2")
                        .bind(company_id).bind(pause_id).fetch_optional(&mut *tx).await?;
                    match row.as_ref().map(pause_type_from_row).transpose()? {
                        Some(p) if !p.archived => view.pause_type = Some(PauseTypeRef::from(&p)),
                        _ => return Err(hovor_core::DomainError::UnknownPauseType.into()),
                    }
                }
                let before = view.state.clone();
                let transition = view.state.apply(command, now)?;
                if view.state.pause_type_id.is_none() {
                    view.pause_type = None;
                }
                if view.state == before {
                    return Ok(StateChange { view, changed: false, written: Vec::new() });
                }
                // Connection counts change without anyone seeing it: store them,
                // but tell nobody.
                let s = &view.state;
                sqlx::query("UPDATE operator_states SET logged_in = $3, status = $4, pause_type_id = $5, live_connections = $6, \
                             disconnected_since = $7, grace_expired = $8, since = $9, cause = $10 WHERE company_id = $1 AND user_id = $2")
                    .bind(company_id).bind(user_id).bind(s.logged_in).bind(s.status.as_str()).bind(&s.pause_type_id)
                    .bind(i64::from(s.live_connections)).bind(s.disconnected_since).bind(s.grace_expired).bind(s.since)
                    .bind(s.cause.as_str())
                    .execute(&mut *tx).await?;

                if transition.record {
                    let last = sqlx::query("SELECT MAX(n) AS n, MAX(CASE WHEN ended_at IS NULL THEN started_at END) AS open_start \
                                            FROM state_history WHERE user_id = $1")
                        .bind(user_id).fetch_one(&mut *tx).await?;
                    let n: i64 = last.try_get::<Option<i64>, _>("n")?.unwrap_or(0) + 1;
                    let open_start: Option<i64> = last.try_get("open_start")?;
                    let start = transition.started_at.max(open_start.unwrap_or(i64::MIN));
                    sqlx::query("UPDATE state_history SET ended_at = $2 WHERE user_id = $1 AND ended_at IS NULL")
                        .bind(user_id).bind(start).execute(&mut *tx).await?;
                    sqlx::query("INSERT INTO state_history (id, company_id, user_id, n, presence, status, pause_type_id, cause, started_at, ended_at) \
                                 VALUES ($1, $2, $3, $9, $4, $5, $6, $7, $8, NULL)")
                        .bind(new_id("his")).bind(company_id).bind(user_id).bind(s.recorded_presence().as_str())
                        .bind(s.status.as_str()).bind(&s.pause_type_id).bind(s.cause.as_str()).bind(start).bind(n)
                        .execute(&mut *tx).await?;
                }

                if !transition.changed {
                    tx.commit().await?;
                    return Ok(StateChange { view, changed: false, written: Vec::new() });
                }

                // Tell the operator's own stream and everyone who watches the company.
                let payload = serde_json::json!({
                    "operator_id": view.operator.id,
                    "name": view.operator.name,
                    "state": view.json(),
                })
                .to_string();
                let streams = user_and_watchers(&mut tx, company_id, user_id).await?;
                let mut written = append_to_streams(&mut tx, &streams, "operator.state_changed", &payload, now).await?;
                let data: serde_json::Value = serde_json::from_str(&payload).unwrap_or_default();
                written.extend(emit(&mut tx, company_id, "operator.state_changed", data, now).await?);
                tx.commit().await?;
                Ok(StateChange { view, changed: true, written })
            }

            async fn disconnected_operators(&self) -> StoreResult<Vec<(String, String)>> {
                let rows = sqlx::query("SELECT company_id, user_id FROM operator_states WHERE logged_in AND live_connections = 0 \
                                        AND NOT grace_expired AND disconnected_since IS NOT NULL")
                    .fetch_all(self.reader()).await?;
                rows.iter().map(|r| Ok((r.try_get("company_id")?, r.try_get("user_id")?))).collect()
            }

            async fn reset_live_connections(&self, _now: Millis) -> StoreResult<Vec<(String, String)>> {
                // Leave one connection each so that a Disconnect command (with its
                // event for every watcher) takes the count to zero.
                let rows = sqlx::query("UPDATE operator_states SET live_connections = 1 WHERE live_connections > 0 RETURNING company_id, user_id")
                    .fetch_all(self.writer()).await?;
                rows.iter().map(|r| Ok((r.try_get("company_id")?, r.try_get("user_id")?))).collect()
            }

            async fn state_history(&self, company_id: &str, user_id: &str, from: Millis, to: Millis, limit: i64, offset: i64) -> StoreResult<Vec<HistoryEntry>> {
                let rows = sqlx::query("SELECT h.presence, h.status, h.pause_type_id, h.cause, h.started_at, h.ended_at, \
                                        p.name AS pause_name, p.paid AS pause_paid FROM state_history h \
                                        LEFT JOIN pause_types p ON p.id = h.pause_type_id \
                                        WHERE h.company_id = $1 AND h.user_id = $2 AND h.started_at < $4 AND (h.ended_at IS NULL OR h.ended_at > $3) \
                                        ORDER BY h.n DESC LIMIT $5 OFFSET $6")
                    .bind(company_id).bind(user_id).bind(from).bind(to).bind(limit).bind(offset)
                    .fetch_all(self.reader()).await?;
                rows.iter().map(|r| {
                    let presence: String = r.try_get("presence")?;
                    let status: String = r.try_get("status")?;
                    let cause: String = r.try_get("cause")?;
                    Ok(HistoryEntry {
                        presence: Presence::parse(&presence).ok_or_else(|| corrupt("presence", &presence))?.as_str(),
                        status: Status::parse(&status).ok_or_else(|| corrupt("status", &status))?.as_str(),
                        pause_type: pause_ref(r.try_get("pause_type_id")?, r.try_get("pause_name")?, r.try_get("pause_paid")?),
                        cause: Cause::parse(&cause).ok_or_else(|| corrupt("cause", &cause))?.as_str(),
                        started_at: r.try_get("started_at")?,
                        ended_at: r.try_get("ended_at")?,
                    })
                }).collect()
            }

            async fn history_spans(&self, company_id: &str, user_id: &str, from: Millis, to: Millis) -> StoreResult<Vec<HistorySpan>> {
                let rows = sqlx::query("SELECT presence, pause_type_id, started_at, ended_at FROM state_history \
                                        WHERE company_id = $1 AND user_id = $2 AND started_at < $4 AND (ended_at IS NULL OR ended_at > $3) \
                                        ORDER BY n")
                    .bind(company_id).bind(user_id).bind(from).bind(to)
                    .fetch_all(self.reader()).await?;
                rows.iter().map(|r| {
                    let presence: String = r.try_get("presence")?;
                    Ok(HistorySpan {
                        presence: Presence::parse(&presence).ok_or_else(|| corrupt("presence", &presence))?,
                        pause_type_id: r.try_get("pause_type_id")?,
                        started_at: r.try_get("started_at")?,
                        ended_at: r.try_get("ended_at")?,
                    })
                }).collect()
            }

            async fn channels(&self, company_id: &str, user_id: &str) -> StoreResult<Vec<ChannelSetting>> {
                let rows = sqlx::query("SELECT channel, capacity, enabled FROM operator_channels WHERE company_id = $1 AND user_id = $2")
                    .bind(company_id).bind(user_id).fetch_all(self.reader()).await?;
                let mut list = rows.iter().map(channel_from_row).collect::<StoreResult<Vec<_>>>()?;
                list.sort_by_key(|c| c.channel);
                Ok(list)
            }

            async fn company_channels(&self, company_id: &str) -> StoreResult<Vec<(String, ChannelSetting)>> {
                let rows = sqlx::query("SELECT user_id, channel, capacity, enabled FROM operator_channels WHERE company_id = $1")
                    .bind(company_id).fetch_all(self.reader()).await?;
                let mut list = rows.iter()
                    .map(|r| Ok((r.try_get::<String, _>("user_id")?, channel_from_row(r)?)))
                    .collect::<StoreResult<Vec<_>>>()?;
                list.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.channel.cmp(&b.1.channel)));
                Ok(list)
            }

            async fn assign_channels(&self, company_id: &str, user_id: &str, assigned: &[(Channel, u32)], now: Millis) -> StoreResult<ChannelChange> {
                let mut tx = self.begin_for(company_id).await?;
                let exists = sqlx::query("SELECT id FROM users WHERE company_id = $1 AND id = $2")
                    .bind(company_id).bind(user_id).fetch_optional(&mut *tx).await?;
                if exists.is_none() {
                    return Err(StoreError::NotFound);
                }
                for channel in Channel::ALL {
                    match assigned.iter().find(|(c, _)| *c == channel) {
                        // Newly assigned channels start switched on; kept ones keep their switch.
                        Some((_, capacity)) => {
                            sqlx::query("INSERT INTO operator_channels (user_id, company_id, channel, capacity, enabled) VALUES ($1, $2, $3, $4, $5) \
                                         ON CONFLICT (user_id, channel) DO UPDATE SET capacity = excluded.capacity")
                                .bind(user_id).bind(company_id).bind(channel.as_str()).bind(i64::from(*capacity)).bind(true)
                                .execute(&mut *tx).await?;
                        }
                        None => {
                            sqlx::query("DELETE FROM operator_channels WHERE user_id = $1 AND channel = $2")
                                .bind(user_id).bind(channel.as_str()).execute(&mut *tx).await?;
                        }
                    }
                }
                let change = channel_event(&mut tx, company_id, user_id, now).await?;
                tx.commit().await?;
                Ok(change)
            }

            async fn set_channel_enabled(&self, company_id: &str, user_id: &str, channel: Channel, enabled: bool, now: Millis) -> StoreResult<Option<ChannelChange>> {
                let mut tx = self.begin_for(company_id).await?;
                let done = sqlx::query("UPDATE operator_channels SET enabled = $4 WHERE company_id = $1 AND user_id = $2 AND channel = $3")
                    .bind(company_id).bind(user_id).bind(channel.as_str()).bind(enabled)
                    .execute(&mut *tx).await?;
                if done.rows_affected() == 0 {
                    return Ok(None);
                }
                let change = channel_event(&mut tx, company_id, user_id, now).await?;
                tx.commit().await?;
                Ok(Some(change))
            }

            async fn notification_settings(&self, user_id: &str) -> StoreResult<NotificationSettings> {
                let row = sqlx::query("SELECT notification_settings FROM user_settings WHERE user_id = $1")
                    .bind(user_id).fetch_optional(self.reader()).await?;
                match row {
                    Some(r) => {
                        let text: String = r.try_get("notification_settings")?;
                        serde_json::from_str(&text).map_err(|e| StoreError::Corrupt(format!("notification settings: {e}")))
                    }
                    None => Ok(NotificationSettings::default()),
                }
            }

            async fn save_notification_settings(&self, company_id: &str, user_id: &str, settings: &NotificationSettings, now: Millis) -> StoreResult<Vec<(String, i64)>> {
                let text = serde_json::to_string(settings).map_err(|e| StoreError::Corrupt(e.to_string()))?;
                let mut tx = self.begin_for(company_id).await?;
                sqlx::query("INSERT INTO user_settings (user_id, notification_settings) VALUES ($1, $2) \
                             ON CONFLICT (user_id) DO UPDATE SET notification_settings = excluded.notification_settings")
                    .bind(user_id).bind(&text).execute(&mut *tx).await?;
                let payload = serde_json::json!({ "notification_settings": settings }).to_string();
                let written = append_to_streams(&mut tx, &[user_id.to_owned()], "me.notification_settings_changed", &payload, now).await?;
                tx.commit().await?;
                Ok(written)
            }

            async fn groups(&self, company_id: &str) -> StoreResult<Vec<Group>> {
                let rows = sqlx::query("SELECT id, name, strategy, max_queue, builtin FROM groups WHERE company_id = $1 AND NOT archived ORDER BY builtin DESC, name, id")
                    .bind(company_id).fetch_all(self.reader()).await?;
                let members = sqlx::query("SELECT m.group_id, m.user_id FROM group_members m JOIN groups g ON g.id = m.group_id \
                                           JOIN users u ON u.id = m.user_id WHERE g.company_id = $1 AND u.active ORDER BY m.user_id")
                    .bind(company_id).fetch_all(self.reader()).await?;
                let members = members.iter().map(|r| Ok((r.try_get::<String, _>("group_id")?, r.try_get::<String, _>("user_id")?)))
                    .collect::<StoreResult<Vec<_>>>()?;
                rows.iter().map(|r| {
                    let id: String = r.try_get("id")?;
                    Ok(Group {
                        members: members.iter().filter(|(g, _)| *g == id).map(|(_, u)| u.clone()).collect(),
                        id,
                        name: r.try_get("name")?,
                        strategy: r.try_get("strategy")?,
                        max_queue: r.try_get("max_queue")?,
                        builtin: r.try_get("builtin")?,
                    })
                }).collect()
            }

            async fn create_group(&self, company_id: &str, name: &str, members: &[String], max_queue: Option<i64>, now: Millis) -> StoreResult<Group> {
                let mut tx = self.writer().begin().await?;
                let id = new_id("grp");
                sqlx::query("INSERT INTO groups (id, company_id, name, strategy, max_queue, builtin, created_at) VALUES ($1, $2, $3, 'longest_idle', $4, $5, $6)")
                    .bind(&id).bind(company_id).bind(name).bind(max_queue).bind(false).bind(now)
                    .execute(&mut *tx).await?;
                for member in members {
                    let known = sqlx::query("SELECT id FROM users WHERE company_id = $1 AND id = $2 AND active")
                        .bind(company_id).bind(member).fetch_optional(&mut *tx).await?;
                    if known.is_none() {
                        return Err(StoreError::NotFound);
                    }
                    sqlx::query("INSERT INTO group_members (group_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
                        .bind(&id).bind(member).execute(&mut *tx).await?;
                }
                tx.commit().await?;
                let mut members = members.to_vec();
                members.sort();
                members.dedup();
                Ok(Group { id, name: name.to_owned(), strategy: "longest_idle".into(), max_queue, members, builtin: false })
            }

            async fn update_group(&self, company_id: &str, id: &str, name: Option<&str>, max_queue: Option<Option<i64>>, members: Option<&[String]>) -> StoreResult<()> {
                let mut tx = self.writer().begin().await?;
                let row = sqlx::query("SELECT builtin FROM groups WHERE company_id = $1 AND id = $2 AND NOT archived")
                    .bind(company_id).bind(id).fetch_optional(&mut *tx).await?.ok_or(StoreError::NotFound)?;
                let builtin: bool = row.try_get("builtin")?;
                if builtin && (name.is_some() || members.is_some()) {
                    return Err(rejected("builtin_group", "the built-in group holds every operator; only its max_queue can change"));
                }
                if let Some(name) = name {
                    sqlx::query("UPDATE groups SET name = $2 WHERE id = $1").bind(id).bind(name).execute(&mut *tx).await?;
                }
                if let Some(max_queue) = max_queue {
                    sqlx::query("UPDATE groups SET max_queue = $2 WHERE id = $1").bind(id).bind(max_queue).execute(&mut *tx).await?;
                }
                if let Some(members) = members {
                    sqlx::query("DELETE FROM group_members WHERE group_id = $1").bind(id).execute(&mut *tx).await?;
                    for member in members {
                        let known = sqlx::query("SELECT id FROM users WHERE company_id = $1 AND id = $2 AND active")
                            .bind(company_id).bind(member).fetch_optional(&mut *tx).await?;
                        if known.is_none() {
                            return Err(rejected("unknown_member", "a member is not a user of this company"));
                        }
                        sqlx::query("INSERT INTO group_members (group_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
                            .bind(id).bind(member).execute(&mut *tx).await?;
                    }
                }
                tx.commit().await?;
                Ok(())
            }

            async fn archive_group(&self, company_id: &str, id: &str) -> StoreResult<()> {
                let mut tx = self.writer().begin().await?;
                let row = sqlx::query("SELECT builtin FROM groups WHERE company_id = $1 AND id = $2 AND NOT archived")
                    .bind(company_id).bind(id).fetch_optional(&mut *tx).await?.ok_or(StoreError::NotFound)?;
                if row.try_get::<bool, _>("builtin")? {
                    return Err(rejected("builtin_group", "the built-in group cannot be deleted"));
                }
                let queued: i64 = sqlx::query("SELECT COUNT(*) AS n FROM sessions WHERE group_id = $1 AND status IN ('waiting', 'offered')")
                    .bind(id).fetch_one(&mut *tx).await?.try_get("n")?;
                if queued > 0 {
                    return Err(rejected("group_has_queue", "clients are waiting in this group; transfer them first"));
                }
                sqlx::query("UPDATE groups SET archived = $2 WHERE id = $1").bind(id).bind(true).execute(&mut *tx).await?;
                sqlx::query("DELETE FROM group_members WHERE group_id = $1").bind(id).execute(&mut *tx).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn queued_in_group(&self, group_id: &str) -> StoreResult<i64> {
                Ok(sqlx::query("SELECT COUNT(*) AS n FROM sessions WHERE group_id = $1 AND status IN ('waiting', 'offered')")
                    .bind(group_id).fetch_one(self.reader()).await?.try_get("n")?)
            }

            async fn create_session(&self, new: &NewSession, now: Millis) -> StoreResult<SessionChange> {
                let mut tx = self.begin_for(&new.company_id).await?;
                let group_id = match &new.group_id {
                    Some(id) => {
                        let row = sqlx::query("SELECT id FROM groups WHERE company_id = $1 AND id = $2 AND NOT archived")
                            .bind(&new.company_id).bind(id).fetch_optional(&mut *tx).await?;
                        row.ok_or(StoreError::NotFound)?.try_get("id")?
                    }
                    None => format!("grp_all_{}", new.company_id),
                };
                let id = new_id("ses");
                sqlx::query("INSERT INTO sessions (id, company_id, channel, source, status, group_id, target_operator_id, operator_id, offered_to, \
                             offer_deadline, client_name, client_email, client_phone, page_url, client_token_hash, created_at, queued_at) \
                             VALUES ($1, $2, $3, $4, 'waiting', $5, $6, NULL, NULL, NULL, $7, $8, $9, $10, $11, $12, $12)")
                    .bind(&id).bind(&new.company_id).bind(new.channel.as_str()).bind(new.source.as_str()).bind(&group_id)
                    .bind(&new.target_operator_id).bind(&new.client.name).bind(&new.client.email).bind(&new.client.phone)
                    .bind(&new.page_url).bind(&new.client_token_hash).bind(now)
                    .execute(&mut *tx).await?;
                let session = reload_session(&mut tx, &id).await?;
                let mut written = announce(&mut tx, &session, "session.changed", &[], now).await?;
                written.extend(emit(&mut tx, &session.company_id, "session.created", serde_json::json!({ "session": session }), now).await?);
                tx.commit().await?;
                Ok(SessionChange { session, written })
            }

            async fn session(&self, company_id: &str, id: &str) -> StoreResult<Option<Session>> {
                let sql = format!("SELECT {SESSION_COLUMNS} FROM sessions s WHERE s.company_id = $1 AND s.id = $2");
                let row = sqlx::query(&sql).bind(company_id).bind(id).fetch_optional(self.reader()).await?;
                row.as_ref().map(session_from_row).transpose()
            }

            async fn session_by_token(&self, token_hash: &str) -> StoreResult<Option<Session>> {
                let sql = format!("SELECT {SESSION_COLUMNS} FROM sessions s WHERE s.client_token_hash = $1");
                let row = sqlx::query(&sql).bind(token_hash).fetch_optional(self.reader()).await?;
                row.as_ref().map(session_from_row).transpose()
            }

            async fn sessions(&self, company_id: &str, filter: &SessionFilter, limit: i64) -> StoreResult<Vec<Session>> {
                let sql = format!("SELECT {SESSION_COLUMNS} FROM sessions s WHERE s.company_id = $1 \
                                   AND ($2 IS NULL OR s.status = $2) AND ($3 IS NULL OR s.operator_id = $3) AND ($4 IS NULL OR s.channel = $4) \
                                   AND ($6 IS NULL OR s.client_phone = $6) \
                                   ORDER BY s.created_at DESC, s.id DESC LIMIT $5");
                let rows = sqlx::query(&sql).bind(company_id)
                    .bind(filter.status.map(SessionStatus::as_str)).bind(&filter.operator_id).bind(filter.channel.map(Channel::as_str)).bind(limit)
                    .bind(&filter.phone)
                    .fetch_all(self.reader()).await?;
                rows.iter().map(session_from_row).collect()
            }

            async fn queued_sessions(&self, company_id: &str) -> StoreResult<Vec<Session>> {
                let sql = format!("SELECT {SESSION_COLUMNS} FROM sessions s WHERE s.company_id = $1 AND s.status IN ('waiting', 'offered') \
                                   ORDER BY s.queued_at, s.id");
                let rows = sqlx::query(&sql).bind(company_id).fetch_all(self.reader()).await?;
                rows.iter().map(session_from_row).collect()
            }

            async fn queue_place(&self, session: &Session) -> StoreResult<QueuePlace> {
                let mut conn = self.reader().acquire().await?;
                place_in(&mut conn, session).await
            }

            async fn routing_snapshot(&self, company_id: &str) -> StoreResult<(Vec<Waiting>, Vec<Candidate>)> {
                let rows = sqlx::query("SELECT s.id, s.channel, s.group_id, g.builtin, s.target_operator_id, s.queued_at FROM sessions s \
                                        JOIN groups g ON g.id = s.group_id WHERE s.company_id = $1 AND s.status = 'waiting'")
                    .bind(company_id).fetch_all(self.reader()).await?;
                let waiting = rows.iter().map(|r| {
                    let channel: String = r.try_get("channel")?;
                    let builtin: bool = r.try_get("builtin")?;
                    Ok(Waiting {
                        session_id: r.try_get("id")?,
                        channel: Channel::parse(&channel).ok_or_else(|| corrupt("channel", &channel))?,
                        group_id: if builtin { None } else { Some(r.try_get("group_id")?) },
                        target_operator_id: r.try_get("target_operator_id")?,
                        created_at: r.try_get("queued_at")?,
                    })
                }).collect::<StoreResult<Vec<_>>>()?;

                let states = self.operator_states(company_id).await?;
                let channels = self.company_channels(company_id).await?;
                let last_offered = sqlx::query("SELECT user_id, last_offered_at FROM operator_states WHERE company_id = $1")
                    .bind(company_id).fetch_all(self.reader()).await?;
                let load_rows = sqlx::query("SELECT COALESCE(operator_id, offered_to) AS who, channel, COUNT(*) AS n FROM sessions \
                                             WHERE company_id = $1 AND status IN ('active', 'offered') GROUP BY COALESCE(operator_id, offered_to), channel")
                    .bind(company_id).fetch_all(self.reader()).await?;
                let memberships = sqlx::query("SELECT m.group_id, m.user_id FROM group_members m JOIN groups g ON g.id = m.group_id WHERE g.company_id = $1")
                    .bind(company_id).fetch_all(self.reader()).await?;
                let mut candidates = Vec::new();
                for view in states {
                    let id = &view.operator.id;
                    let own: Vec<ChannelSetting> = channels.iter().filter(|(u, _)| u == id).map(|(_, c)| *c).collect();
                    if own.is_empty() {
                        continue;
                    }
                    let mut load = std::collections::HashMap::new();
                    for r in &load_rows {
                        let who: Option<String> = r.try_get("who")?;
                        if who.as_deref() == Some(id.as_str()) {
                            let channel: String = r.try_get("channel")?;
                            let n: i64 = r.try_get("n")?;
                            if let Some(c) = Channel::parse(&channel) {
                                load.insert(c, u32::try_from(n).unwrap_or(u32::MAX));
                            }
                        }
                    }
                    let mut groups = Vec::new();
                    for r in &memberships {
                        if r.try_get::<String, _>("user_id")? == *id {
                            groups.push(r.try_get("group_id")?);
                        }
                    }
                    let mut last_offered_at = None;
                    for r in &last_offered {
                        if r.try_get::<String, _>("user_id")? == *id {
                            last_offered_at = r.try_get("last_offered_at")?;
                        }
                    }
                    candidates.push(Candidate {
                        operator_id: id.clone(),
                        online: view.state.routable(),
                        channels: own,
                        load,
                        groups,
                        last_offered_at,
                        // The server knows the lines (they depend on the clock).
                        phone_ready: false,
                    });
                }
                Ok((waiting, candidates))
            }

            async fn companies_with_waiting(&self) -> StoreResult<Vec<String>> {
                let rows = sqlx::query("SELECT DISTINCT company_id FROM sessions WHERE status = 'waiting'")
                    .fetch_all(self.reader()).await?;
                rows.iter().map(|r| Ok(r.try_get("company_id")?)).collect()
            }

            async fn offer(&self, company_id: &str, session_id: &str, operator_id: &str, deadline: Millis, now: Millis) -> StoreResult<Option<SessionChange>> {
                let mut tx = self.begin_for(company_id).await?;
                lock_operator(&mut tx, operator_id).await?;
                let session = locked_session(&mut tx, company_id, session_id).await?;
                if session.status != SessionStatus::Waiting {
                    return Ok(None);
                }
                // Recheck room inside the transaction: the snapshot may be stale.
                let capacity: Option<i64> = sqlx::query("SELECT capacity FROM operator_channels WHERE user_id = $1 AND channel = $2 AND enabled")
                    .bind(operator_id).bind(session.channel.as_str()).fetch_optional(&mut *tx).await?
                    .map(|r| r.try_get("capacity")).transpose()?;
                let (load, on_call) = operator_load(&mut tx, operator_id, session.channel).await?;
                let room = capacity.is_some_and(|c| load < c) && !(session.channel.is_call() && on_call);
                if !room {
                    return Ok(None);
                }
                sqlx::query("UPDATE sessions SET status = 'offered', offered_to = $2, offer_deadline = $3 WHERE id = $1 AND status = 'waiting'")
                    .bind(session_id).bind(operator_id).bind(deadline).execute(&mut *tx).await?;
                sqlx::query("UPDATE operator_states SET last_offered_at = $2 WHERE user_id = $1")
                    .bind(operator_id).bind(now).execute(&mut *tx).await?;
                let session = reload_session(&mut tx, session_id).await?;
                let mut written = announce(&mut tx, &session, "session.offered", &[Some(operator_id.to_owned())], now).await?;
                written.extend(emit(&mut tx, &session.company_id, "session.offered", serde_json::json!({ "session": session }), now).await?);
                tx.commit().await?;
                Ok(Some(SessionChange { session, written }))
            }

            async fn expired_offers(&self, now: Millis) -> StoreResult<Vec<(String, String, String)>> {
                let rows = sqlx::query("SELECT company_id, id, offered_to FROM sessions WHERE status = 'offered' AND offer_deadline <= $1")
                    .bind(now).fetch_all(self.reader()).await?;
                rows.iter().map(|r| Ok((r.try_get("company_id")?, r.try_get("id")?, r.try_get("offered_to")?))).collect()
            }

            async fn offers_to(&self, company_id: &str, operator_id: &str) -> StoreResult<Vec<String>> {
                let rows = sqlx::query("SELECT id FROM sessions WHERE company_id = $1 AND status = 'offered' AND offered_to = $2")
                    .bind(company_id).bind(operator_id).fetch_all(self.reader()).await?;
                rows.iter().map(|r| Ok(r.try_get("id")?)).collect()
            }

            async fn withdraw_offer(&self, company_id: &str, session_id: &str, operator_id: &str, now: Millis) -> StoreResult<Option<SessionChange>> {
                let mut tx = self.begin_for(company_id).await?;
                let session = locked_session(&mut tx, company_id, session_id).await?;
                if session.status != SessionStatus::Offered || session.offered_to.as_deref() != Some(operator_id) {
                    return Ok(None);
                }
                sqlx::query("UPDATE sessions SET status = 'waiting', offered_to = NULL, offer_deadline = NULL WHERE id = $1")
                    .bind(session_id).execute(&mut *tx).await?;
                let session = reload_session(&mut tx, session_id).await?;
                let written = announce(&mut tx, &session, "session.changed", &[Some(operator_id.to_owned())], now).await?;
                tx.commit().await?;
                Ok(Some(SessionChange { session, written }))
            }

            async fn accept(&self, company_id: &str, session_id: &str, operator_id: &str, now: Millis) -> StoreResult<SessionChange> {
                let mut tx = self.begin_for(company_id).await?;
                lock_operator(&mut tx, operator_id).await?;
                let session = locked_session(&mut tx, company_id, session_id).await?;
                let taken = rejected("already_taken", "another operator has taken this session, or it has ended");
                match (session.status, session.offered_to.as_deref()) {
                    (SessionStatus::Offered, Some(to)) if to == operator_id => {}
                    (SessionStatus::Waiting, _) => {
                        if session.target_operator_id.as_deref().is_some_and(|t| t != operator_id) {
                            return Err(taken);
                        }
                        let builtin: bool = sqlx::query("SELECT builtin FROM groups WHERE id = $1")
                            .bind(&session.group_id).fetch_one(&mut *tx).await?.try_get("builtin")?;
                        let member = sqlx::query("SELECT user_id FROM group_members WHERE group_id = $1 AND user_id = $2")
                            .bind(&session.group_id).bind(operator_id).fetch_optional(&mut *tx).await?;
                        if session.target_operator_id.is_none() && !builtin && member.is_none() {
                            return Err(rejected("not_in_group", "this session is for another group"));
                        }
                    }
                    _ => return Err(taken),
                }
                let capacity: Option<i64> = sqlx::query("SELECT capacity FROM operator_channels WHERE user_id = $1 AND channel = $2")
                    .bind(operator_id).bind(session.channel.as_str()).fetch_optional(&mut *tx).await?
                    .map(|r| r.try_get("capacity")).transpose()?;
                let Some(capacity) = capacity else {
                    return Err(rejected("channel_not_assigned", "this channel is not assigned to you"));
                };
                let (load, on_call) = operator_load(&mut tx, operator_id, session.channel).await?;
                // An offer to me already counts in my load.
                let mine_already = i64::from(session.status == SessionStatus::Offered);
                if load - mine_already >= capacity || (session.channel.is_call() && on_call && mine_already == 0) {
                    return Err(rejected("capacity_full", "you already have as many sessions on this channel as you can take"));
                }
                let done = sqlx::query("UPDATE sessions SET status = 'active', operator_id = $2, offered_to = NULL, offer_deadline = NULL, accepted_at = $3 \
                                        WHERE id = $1 AND status IN ('waiting', 'offered')")
                    .bind(session_id).bind(operator_id).bind(now).execute(&mut *tx).await?;
                if done.rows_affected() != 1 {
                    return Err(taken);
                }
                let previous_offer = session.offered_to.clone();
                let session = reload_session(&mut tx, session_id).await?;
                let mut written = announce(&mut tx, &session, "session.changed", &[Some(operator_id.to_owned()), previous_offer], now).await?;
                written.extend(emit(&mut tx, &session.company_id, "session.accepted", serde_json::json!({ "session": session }), now).await?);
                tx.commit().await?;
                Ok(SessionChange { session, written })
            }

            async fn add_message(&self, company_id: &str, session_id: &str, writer: &Writer, text: &str, now: Millis) -> StoreResult<(Message, bool, Vec<(String, i64)>)> {
                let mut tx = self.begin_for(company_id).await?;
                let session = locked_session(&mut tx, company_id, session_id).await?;
                match writer {
                    Writer::Operator(id) if session.status != SessionStatus::Active || session.operator_id.as_deref() != Some(id.as_str()) => {
                        return Err(rejected("session_not_active", "you can write only in your active conversations"));
                    }
                    _ if session.status == SessionStatus::Ended => {
                        return Err(rejected("session_ended", "this conversation has ended"));
                    }
                    _ => {}
                }
                let result = write_message(&mut tx, &session, writer, text, now).await?;
                tx.commit().await?;
                Ok(result)
            }

            async fn messages_after(&self, session_id: &str, after_seq: i64, limit: i64) -> StoreResult<Vec<Message>> {
                let rows = sqlx::query("SELECT m.seq, m.author, m.operator_id, u.name AS operator_name, m.text, m.sent_at FROM messages m \
                                        LEFT JOIN users u ON u.id = m.operator_id WHERE m.session_id = $1 AND m.seq > $2 ORDER BY m.seq LIMIT $3")
                    .bind(session_id).bind(after_seq).bind(limit).fetch_all(self.reader()).await?;
                rows.iter().map(message_from_row).collect()
            }

            async fn transfer(&self, company_id: &str, session_id: &str, target: &TransferTarget, note: Option<&str>, now: Millis) -> StoreResult<SessionChange> {
                let mut tx = self.begin_for(company_id).await?;
                let session = locked_session(&mut tx, company_id, session_id).await?;
                if session.status == SessionStatus::Ended {
                    return Err(rejected("session_ended", "this conversation has ended"));
                }
                let (group_id, target_operator, label) = match target {
                    TransferTarget::Group(id) => {
                        let row = sqlx::query("SELECT name FROM groups WHERE company_id = $1 AND id = $2 AND NOT archived")
                            .bind(company_id).bind(id).fetch_optional(&mut *tx).await?.ok_or(StoreError::NotFound)?;
                        (id.clone(), None, row.try_get::<String, _>("name")?)
                    }
                    TransferTarget::Operator(id) => {
                        let row = sqlx::query("SELECT name FROM users WHERE company_id = $1 AND id = $2 AND active")
                            .bind(company_id).bind(id).fetch_optional(&mut *tx).await?.ok_or(StoreError::NotFound)?;
                        (session.group_id.clone(), Some(id.clone()), row.try_get::<String, _>("name")?)
                    }
                };
                sqlx::query("UPDATE sessions SET status = 'waiting', group_id = $2, target_operator_id = $3, operator_id = NULL, offered_to = NULL, \
                             offer_deadline = NULL, accepted_at = NULL, queued_at = $4 WHERE id = $1")
                    .bind(session_id).bind(&group_id).bind(&target_operator).bind(now).execute(&mut *tx).await?;
                let moved = reload_session(&mut tx, session_id).await?;
                let text = match note.map(str::trim).filter(|n| !n.is_empty()) {
                    Some(note) => format!("Transferred to {label}: {note}"),
                    None => format!("Transferred to {label}"),
                };
                let (_, _, mut written) = write_message(&mut tx, &moved, &Writer::System, &text, now).await?;
                written.extend(announce(&mut tx, &moved, "session.changed", &[session.operator_id.clone(), session.offered_to.clone(), target_operator], now).await?);
                written.extend(emit(&mut tx, company_id, "session.transferred", serde_json::json!({ "session": moved, "note": note }), now).await?);
                tx.commit().await?;
                Ok(SessionChange { session: moved, written })
            }

            async fn end_session(&self, company_id: &str, session_id: &str, reason: EndReason, now: Millis) -> StoreResult<SessionChange> {
                let mut tx = self.begin_for(company_id).await?;
                let session = locked_session(&mut tx, company_id, session_id).await?;
                if session.status == SessionStatus::Ended {
                    return Ok(SessionChange { session, written: Vec::new() });
                }
                sqlx::query("UPDATE sessions SET status = 'ended', offered_to = NULL, offer_deadline = NULL, ended_at = $2, end_reason = $3 WHERE id = $1")
                    .bind(session_id).bind(now).bind(reason.as_str()).execute(&mut *tx).await?;
                let ended = reload_session(&mut tx, session_id).await?;
                let mut written = announce(&mut tx, &ended, "session.changed", &[session.operator_id.clone(), session.offered_to.clone()], now).await?;
                written.extend(emit(&mut tx, &ended.company_id, "session.ended", serde_json::json!({ "session": ended }), now).await?);
                tx.commit().await?;
                Ok(SessionChange { session: ended, written })
            }

            async fn create_invitation(&self, new: &NewInvitation, now: Millis) -> StoreResult<Invitation> {
                let id = new_id("inv");
                let mut tx = self.begin_for(&new.company_id).await?;
                sqlx::query("INSERT INTO invitations (id, company_id, code, operator_id, reusable, label, created_by, created_at, uses, invalidated_at) \
                             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0, NULL)")
                    .bind(&id).bind(&new.company_id).bind(&new.code).bind(&new.operator_id).bind(new.reusable)
                    .bind(&new.label).bind(new.created_by).bind(now)
                    .execute(&mut *tx).await
                    .map_err(|e| if is_unique_violation(&e) { StoreError::Conflict("code taken".into()) } else { e.into() })?;
                emit(&mut tx, &new.company_id, "invitation.created", serde_json::json!({
                    "invitation_id": id, "operator_id": new.operator_id, "reusable": new.reusable, "label": new.label,
                }), now).await?;
                tx.commit().await?;
                self.invitation(&new.company_id, &id).await?.ok_or(StoreError::NotFound)
            }

            async fn invitation(&self, company_id: &str, id: &str) -> StoreResult<Option<Invitation>> {
                let sql = format!("SELECT {INVITATION_COLUMNS} FROM invitations i JOIN users u ON u.id = i.operator_id WHERE i.company_id = $1 AND i.id = $2");
                let row = sqlx::query(&sql).bind(company_id).bind(id).fetch_optional(self.writer()).await?;
                row.as_ref().map(invitation_from_row).transpose()
            }

            async fn invitation_by_code(&self, code: &str) -> StoreResult<Option<Invitation>> {
                let sql = format!("SELECT {INVITATION_COLUMNS} FROM invitations i JOIN users u ON u.id = i.operator_id WHERE i.code = $1");
                let row = sqlx::query(&sql).bind(code).fetch_optional(self.reader()).await?;
                row.as_ref().map(invitation_from_row).transpose()
            }

            async fn invitations(&self, company_id: &str, operator_id: Option<&str>, active: Option<bool>, limit: i64) -> StoreResult<Vec<Invitation>> {
                let sql = format!("SELECT {INVITATION_COLUMNS} FROM invitations i JOIN users u ON u.id = i.operator_id \
                                   WHERE i.company_id = $1 AND ($2 IS NULL OR i.operator_id = $2) \
                                   ORDER BY i.created_at DESC, i.id DESC LIMIT $3");
                let rows = sqlx::query(&sql).bind(company_id).bind(operator_id).bind(limit).fetch_all(self.reader()).await?;
                let all = rows.iter().map(invitation_from_row).collect::<StoreResult<Vec<_>>>()?;
                Ok(match active {
                    None => all,
                    Some(want) => all
                        .into_iter()
                        .filter(|i| hovor_core::invitation::redeemable(i.reusable, i.uses, i.invalidated_at.is_some()).is_ok() == want)
                        .collect(),
                })
            }

            async fn invalidate_invitation(&self, company_id: &str, id: &str, now: Millis) -> StoreResult<Option<Invitation>> {
                let mut tx = self.begin_for(company_id).await?;
                let done = sqlx::query("UPDATE invitations SET invalidated_at = $3 WHERE company_id = $1 AND id = $2 AND invalidated_at IS NULL")
                    .bind(company_id).bind(id).bind(now).execute(&mut *tx).await?;
                if done.rows_affected() > 0 {
                    emit(&mut tx, company_id, "invitation.invalidated", serde_json::json!({ "invitation_id": id }), now).await?;
                }
                tx.commit().await?;
                self.invitation(company_id, id).await
            }

            async fn redeem_invitation(&self, code: &str, client_token_hash: &str, now: Millis) -> StoreResult<(SessionChange, Invitation)> {
                let found = self.invitation_by_code(code).await?.ok_or(StoreError::NotFound)?;
                let mut tx = self.begin_for(&found.company_id).await?;
                let sql = format!("SELECT {INVITATION_COLUMNS} FROM invitations i JOIN users u ON u.id = i.operator_id WHERE i.id = $1");
                let row = sqlx::query(&sql).bind(&found.id).fetch_one(&mut *tx).await?;
                let invitation = invitation_from_row(&row)?;
                match hovor_core::invitation::redeemable(invitation.reusable, invitation.uses, invitation.invalidated_at.is_some()) {
                    Ok(()) => {}
                    Err(hovor_core::invitation::Gone::Used) => return Err(rejected("invitation_used", "this invitation has been used already")),
                    Err(hovor_core::invitation::Gone::Invalidated) => return Err(rejected("invitation_invalidated", "this invitation is no longer valid")),
                }
                let done = sqlx::query("UPDATE invitations SET uses = uses + 1 WHERE id = $1 AND invalidated_at IS NULL AND (reusable OR uses = 0)")
                    .bind(&invitation.id).execute(&mut *tx).await?;
                if done.rows_affected() != 1 {
                    return Err(rejected("invitation_used", "this invitation has been used already"));
                }
                let id = new_id("ses");
                sqlx::query("INSERT INTO sessions (id, company_id, channel, source, status, group_id, target_operator_id, operator_id, offered_to, \
                             offer_deadline, client_name, client_email, client_phone, page_url, client_token_hash, created_at, queued_at) \
                             VALUES ($1, $2, 'chat', 'invitation', 'waiting', $3, $4, NULL, NULL, NULL, NULL, NULL, NULL, NULL, $5, $6, $6)")
                    .bind(&id).bind(&invitation.company_id).bind(format!("grp_all_{}", invitation.company_id))
                    .bind(&invitation.operator_id).bind(client_token_hash).bind(now)
                    .execute(&mut *tx).await?;
                let session = reload_session(&mut tx, &id).await?;
                let mut written = announce(&mut tx, &session, "session.changed", &[], now).await?;
                written.extend(emit(&mut tx, &session.company_id, "session.created", serde_json::json!({ "session": session }), now).await?);
                written.extend(emit(&mut tx, &session.company_id, "invitation.redeemed", serde_json::json!({ "invitation_id": invitation.id, "code": invitation.code, "session_id": session.id }), now).await?);
                tx.commit().await?;
                let invitation = Invitation { uses: invitation.uses + 1, ..invitation };
                Ok((SessionChange { session, written }, invitation))
            }

            async fn create_webhook(&self, company_id: &str, url: &str, events: &[String], secret: &str, now: Millis) -> StoreResult<Webhook> {
                let id = new_id("whk");
                let mut tx = self.begin_for(company_id).await?;
                // Only events from now on: the cursor starts at the outbox head.
                let head: i64 = sqlx::query("SELECT last_seq FROM streams WHERE stream = $1")
                    .bind(outbox_stream(company_id)).fetch_optional(&mut *tx).await?
                    .map(|r| r.try_get("last_seq")).transpose()?.unwrap_or(0);
                sqlx::query("INSERT INTO webhooks (id, company_id, url, events, secret, active, created_at, deleted_at, cursor_seq, attempts, failing_since, retry_at) \
                             VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, $8, 0, NULL, NULL)")
                    .bind(&id).bind(company_id).bind(url).bind(events.join(",")).bind(secret).bind(true).bind(now).bind(head)
                    .execute(&mut *tx).await?;
                tx.commit().await?;
                self.webhook(company_id, &id).await?.ok_or(StoreError::NotFound)
            }

            async fn webhooks(&self, company_id: &str) -> StoreResult<Vec<Webhook>> {
                let sql = format!("SELECT {WEBHOOK_COLUMNS} FROM webhooks w WHERE w.company_id = $1 AND w.deleted_at IS NULL ORDER BY w.created_at, w.id");
                let rows = sqlx::query(&sql).bind(company_id).fetch_all(self.reader()).await?;
                rows.iter().map(webhook_from_row).collect()
            }

            async fn webhook(&self, company_id: &str, id: &str) -> StoreResult<Option<Webhook>> {
                let sql = format!("SELECT {WEBHOOK_COLUMNS} FROM webhooks w WHERE w.company_id = $1 AND w.id = $2 AND w.deleted_at IS NULL");
                let row = sqlx::query(&sql).bind(company_id).bind(id).fetch_optional(self.writer()).await?;
                row.as_ref().map(webhook_from_row).transpose()
            }

            async fn update_webhook(&self, company_id: &str, id: &str, url: Option<&str>, events: Option<&[String]>, active: Option<bool>) -> StoreResult<Option<Webhook>> {
                sqlx::query("UPDATE webhooks SET url = COALESCE($3, url), events = COALESCE($4, events), active = COALESCE($5, active) \
                             WHERE company_id = $1 AND id = $2 AND deleted_at IS NULL")
                    .bind(company_id).bind(id).bind(url).bind(events.map(|e| e.join(","))).bind(active)
                    .execute(self.writer()).await?;
                self.webhook(company_id, id).await
            }

            async fn delete_webhook(&self, company_id: &str, id: &str, now: Millis) -> StoreResult<bool> {
                let done = sqlx::query("UPDATE webhooks SET deleted_at = $3, active = $4 WHERE company_id = $1 AND id = $2 AND deleted_at IS NULL")
                    .bind(company_id).bind(id).bind(now).bind(false).execute(self.writer()).await?;
                Ok(done.rows_affected() > 0)
            }

            async fn webhook_attempts(&self, webhook_id: &str, limit: i64) -> StoreResult<Vec<WebhookAttempt>> {
                let rows = sqlx::query("SELECT a.id, w.company_id, a.event_seq, a.event_type, a.attempt, a.status_code, a.error, a.outcome, a.attempted_at \
                                        FROM webhook_attempts a JOIN webhooks w ON w.id = a.webhook_id WHERE a.webhook_id = $1 \
                                        ORDER BY a.attempted_at DESC, a.id DESC LIMIT $2")
                    .bind(webhook_id).bind(limit).fetch_all(self.reader()).await?;
                rows.iter().map(|r| {
                    let company: String = r.try_get("company_id")?;
                    let seq: i64 = r.try_get("event_seq")?;
                    Ok(WebhookAttempt {
                        id: r.try_get("id")?,
                        event_id: format!("evt_{company}_{seq}"),
                        event_type: r.try_get("event_type")?,
                        attempt: r.try_get("attempt")?,
                        status_code: r.try_get("status_code")?,
                        error: r.try_get("error")?,
                        outcome: r.try_get("outcome")?,
                        attempted_at: r.try_get("attempted_at")?,
                    })
                }).collect()
            }

            async fn due_webhooks(&self, now: Millis) -> StoreResult<Vec<Webhook>> {
                let sql = format!("SELECT {WEBHOOK_COLUMNS} FROM webhooks w JOIN streams s ON s.stream = 'wh_' || w.company_id \
                                   WHERE w.active AND w.deleted_at IS NULL AND s.last_seq > w.cursor_seq \
                                   AND (w.retry_at IS NULL OR w.retry_at <= $1) ORDER BY w.id");
                let rows = sqlx::query(&sql).bind(now).fetch_all(self.reader()).await?;
                rows.iter().map(webhook_from_row).collect()
            }

            async fn skip_webhook_to(&self, webhook_id: &str, seq: i64) -> StoreResult<()> {
                sqlx::query("UPDATE webhooks SET cursor_seq = $2 WHERE id = $1 AND cursor_seq < $2")
                    .bind(webhook_id).bind(seq).execute(self.writer()).await?;
                Ok(())
            }

            #[allow(clippy::too_many_arguments)]
            async fn record_webhook_attempt(&self, hook: &Webhook, event_seq: i64, event_type: &str, status_code: Option<i64>, error: Option<&str>, outcome: &AttemptOutcome, now: Millis) -> StoreResult<()> {
                let mut tx = self.writer().begin().await?;
                let attempt = hook.attempts + 1;
                let label = match outcome {
                    AttemptOutcome::Delivered => "delivered",
                    AttemptOutcome::Failed { .. } => "failed",
                    AttemptOutcome::Dead => "dead",
                };
                sqlx::query("INSERT INTO webhook_attempts (id, webhook_id, event_seq, event_type, attempt, status_code, error, outcome, attempted_at) \
                             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
                    .bind(new_id("att")).bind(&hook.id).bind(event_seq).bind(event_type).bind(attempt)
                    .bind(status_code).bind(error).bind(label).bind(now)
                    .execute(&mut *tx).await?;
                match outcome {
                    AttemptOutcome::Delivered | AttemptOutcome::Dead => {
                        sqlx::query("UPDATE webhooks SET cursor_seq = $2, attempts = 0, failing_since = NULL, retry_at = NULL WHERE id = $1")
                            .bind(&hook.id).bind(event_seq).execute(&mut *tx).await?;
                    }
                    AttemptOutcome::Failed { retry_at } => {
                        sqlx::query("UPDATE webhooks SET attempts = $2, failing_since = COALESCE(failing_since, $3), retry_at = $4 WHERE id = $1")
                            .bind(&hook.id).bind(attempt).bind(now).bind(*retry_at).execute(&mut *tx).await?;
                    }
                }
                tx.commit().await?;
                Ok(())
            }

            async fn telephony_facts(&self, company_id: &str) -> StoreResult<TelephonyFacts> {
                let mut facts = TelephonyFacts::default();
                if let Some(r) = sqlx::query("SELECT dial_url, secret, last_seen, announced_up FROM telephony WHERE company_id = $1")
                    .bind(company_id).fetch_optional(self.writer()).await?
                {
                    facts.dial_url = r.try_get("dial_url")?;
                    facts.secret = r.try_get("secret")?;
                    facts.last_seen = r.try_get("last_seen")?;
                    facts.announced_up = r.try_get("announced_up")?;
                }
                let rows = sqlx::query("SELECT extension, registered FROM phone_extensions WHERE company_id = $1")
                    .bind(company_id).fetch_all(self.writer()).await?;
                for r in &rows {
                    facts.extensions.push((r.try_get("extension")?, r.try_get("registered")?));
                }
                Ok(facts)
            }

            async fn touch_connector(&self, company_id: &str, now: Millis) -> StoreResult<bool> {
                let mut tx = self.writer().begin().await?;
                let was: Option<bool> = sqlx::query("SELECT announced_up FROM telephony WHERE company_id = $1")
                    .bind(company_id).fetch_optional(&mut *tx).await?.map(|r| r.try_get("announced_up")).transpose()?;
                sqlx::query("INSERT INTO telephony (company_id, dial_url, secret, last_seen, announced_up) VALUES ($1, NULL, NULL, $2, $3) \
                             ON CONFLICT (company_id) DO UPDATE SET last_seen = excluded.last_seen, announced_up = excluded.announced_up")
                    .bind(company_id).bind(now).bind(true).execute(&mut *tx).await?;
                tx.commit().await?;
                Ok(was != Some(true))
            }

            async fn connectors(&self) -> StoreResult<Vec<(String, Option<Millis>, bool)>> {
                let rows = sqlx::query("SELECT company_id, last_seen, announced_up FROM telephony").fetch_all(self.reader()).await?;
                rows.iter().map(|r| Ok((r.try_get("company_id")?, r.try_get("last_seen")?, r.try_get("announced_up")?))).collect()
            }

            async fn set_connector_announced(&self, company_id: &str, up: bool) -> StoreResult<()> {
                sqlx::query("UPDATE telephony SET announced_up = $2 WHERE company_id = $1")
                    .bind(company_id).bind(up).execute(self.writer()).await?;
                Ok(())
            }

            async fn save_telephony_settings(&self, company_id: &str, dial_url: Option<&str>, secret: Option<&str>) -> StoreResult<()> {
                sqlx::query("INSERT INTO telephony (company_id, dial_url, secret, last_seen, announced_up) VALUES ($1, $2, $3, NULL, $4) \
                             ON CONFLICT (company_id) DO UPDATE SET dial_url = COALESCE(excluded.dial_url, telephony.dial_url), \
                             secret = COALESCE(excluded.secret, telephony.secret)")
                    .bind(company_id).bind(dial_url).bind(secret).bind(false).execute(self.writer()).await?;
                Ok(())
            }

            async fn register_extension(&self, company_id: &str, extension: &str, registered: bool, now: Millis) -> StoreResult<Option<String>> {
                let owner = sqlx::query("SELECT id FROM users WHERE company_id = $1 AND phone_extension = $2 AND active")
                    .bind(company_id).bind(extension).fetch_optional(self.writer()).await?;
                let Some(owner) = owner else { return Ok(None) };
                sqlx::query("INSERT INTO phone_extensions (company_id, extension, registered, updated_at) VALUES ($1, $2, $3, $4) \
                             ON CONFLICT (company_id, extension) DO UPDATE SET registered = excluded.registered, updated_at = excluded.updated_at")
                    .bind(company_id).bind(extension).bind(registered).bind(now).execute(self.writer()).await?;
                Ok(Some(owner.try_get("id")?))
            }

            async fn announce_phone_line(&self, company_id: &str, user_id: &str, phone_line: serde_json::Value, now: Millis) -> StoreResult<Vec<(String, i64)>> {
                let mut tx = self.begin_for(company_id).await?;
                let name: String = sqlx::query("SELECT name FROM users WHERE id = $1")
                    .bind(user_id).fetch_one(&mut *tx).await?.try_get("name")?;
                let data = serde_json::json!({ "operator_id": user_id, "name": name, "phone_line": phone_line });
                let streams = user_and_watchers(&mut tx, company_id, user_id).await?;
                let mut written = append_to_streams(&mut tx, &streams, "operator.phone_line_changed", &data.to_string(), now).await?;
                written.extend(emit(&mut tx, company_id, "phone.line_changed", data, now).await?);
                tx.commit().await?;
                Ok(written)
            }

            async fn call_known(&self, company_id: &str, call_id: &str) -> StoreResult<bool> {
                Ok(sqlx::query("SELECT call_id FROM calls WHERE company_id = $1 AND call_id = $2")
                    .bind(company_id).bind(call_id).fetch_optional(self.writer()).await?.is_some())
            }

            async fn mark_offered(&self, operator_id: &str, now: Millis) -> StoreResult<()> {
                sqlx::query("UPDATE operator_states SET last_offered_at = $2 WHERE user_id = $1")
                    .bind(operator_id).bind(now).execute(self.writer()).await?;
                Ok(())
            }

            async fn call_report(&self, company_id: &str, report: &CallReport, operator_id: Option<&str>, now: Millis) -> StoreResult<SessionChange> {
                use hovor_core::phone::CallFacts;
                let mut tx = self.begin_for(company_id).await?;
                let known = sqlx::query("SELECT session_id, ringing_at, answered_at, ended_at FROM calls WHERE company_id = $1 AND call_id = $2")
                    .bind(company_id).bind(&report.call_id).fetch_optional(&mut *tx).await?;
                let (session_id, facts) = match known {
                    Some(r) => (
                        r.try_get::<String, _>("session_id")?,
                        CallFacts { ringing_at: r.try_get("ringing_at")?, answered_at: r.try_get("answered_at")?, ended_at: r.try_get("ended_at")? },
                    ),
                    None => {
                        let id = new_id("ses");
                        let number = if report.inbound { &report.from } else { &report.to };
                        sqlx::query("INSERT INTO sessions (id, company_id, channel, source, status, group_id, target_operator_id, operator_id, offered_to, \
                                     offer_deadline, client_name, client_email, client_phone, page_url, client_token_hash, created_at, queued_at) \
                                     VALUES ($1, $2, 'phone', 'phone', 'waiting', $3, NULL, NULL, NULL, NULL, NULL, NULL, $4, NULL, NULL, $5, $5)")
                            .bind(&id).bind(company_id).bind(format!("grp_all_{company_id}")).bind(number).bind(report.at)
                            .execute(&mut *tx).await?;
                        sqlx::query("INSERT INTO calls (company_id, call_id, session_id, ringing_at, answered_at, ended_at) VALUES ($1, $2, $3, NULL, NULL, NULL)")
                            .bind(company_id).bind(&report.call_id).bind(&id).execute(&mut *tx).await?;
                        (id, CallFacts::default())
                    }
                };
                let before = locked_session(&mut tx, company_id, &session_id).await?;
                let facts = facts.with(report.event, report.at);
                sqlx::query("UPDATE calls SET ringing_at = $3, answered_at = $4, ended_at = $5 WHERE company_id = $1 AND call_id = $2")
                    .bind(company_id).bind(&report.call_id).bind(facts.ringing_at).bind(facts.answered_at).bind(facts.ended_at)
                    .execute(&mut *tx).await?;
                let status = facts.status();
                // Who has the call: the extension reported now, or whoever had it.
                let who = operator_id.map(str::to_owned).or(before.operator_id.clone()).or(before.offered_to.clone());
                let (offered_to, holder) = match status {
                    SessionStatus::Offered => (who.clone(), None),
                    SessionStatus::Active => (None, who.clone()),
                    SessionStatus::Ended if facts.answered_at.is_some() => (None, who.clone()),
                    _ => (None, None),
                };
                sqlx::query("UPDATE sessions SET status = $2, offered_to = $3, operator_id = $4, accepted_at = $5, ended_at = $6, end_reason = $7 WHERE id = $1")
                    .bind(&session_id).bind(status.as_str()).bind(&offered_to).bind(&holder)
                    .bind(facts.answered_at).bind(facts.ended_at).bind(facts.end_reason().map(EndReason::as_str))
                    .execute(&mut *tx).await?;
                let session = reload_session(&mut tx, &session_id).await?;
                let kind = if status == SessionStatus::Offered && before.status != SessionStatus::Offered { "session.offered" } else { "session.changed" };
                let mut written = if session != before {
                    announce(&mut tx, &session, kind, &[who.clone(), before.operator_id.clone()], now).await?
                } else {
                    Vec::new()
                };
                let event = match report.event {
                    hovor_core::phone::CallEvent::Ringing => "ringing",
                    hovor_core::phone::CallEvent::Answered => "answered",
                    hovor_core::phone::CallEvent::Hangup => "hangup",
                };
                written.extend(emit(&mut tx, company_id, "phone.call", serde_json::json!({
                    "call_id": report.call_id, "event": event, "direction": if report.inbound { "in" } else { "out" },
                    "from": report.from, "to": report.to, "extension": report.extension, "session": session,
                }), now).await?);
                tx.commit().await?;
                Ok(SessionChange { session, written })
            }

            async fn events_after(&self, stream: &str, after_seq: i64, limit: i64) -> StoreResult<Vec<StreamEvent>> {
                let rows = sqlx::query("SELECT seq, kind, payload, created_at FROM events WHERE stream = $1 AND seq > $2 ORDER BY seq LIMIT $3")
                    .bind(stream).bind(after_seq).bind(limit).fetch_all(self.reader()).await?;
                rows.iter().map(|r| Ok(StreamEvent {
                    seq: r.try_get("seq")?,
                    kind: r.try_get("kind")?,
                    payload: r.try_get("payload")?,
                    created_at: r.try_get("created_at")?,
                })).collect()
            }

            async fn last_seq(&self, stream: &str) -> StoreResult<i64> {
                let row = sqlx::query("SELECT last_seq FROM streams WHERE stream = $1").bind(stream).fetch_optional(self.reader()).await?;
                Ok(match row { Some(r) => r.try_get("last_seq")?, None => 0 })
            }
        }
    };
}

pub(crate) use sql_store;
