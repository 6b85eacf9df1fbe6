// The REST API's shapes, named as the app uses them: each one is the type generated from the
// server's OpenAPI document (api/schema.gen.ts, `npm run gen:api`). Nothing is written out here, so
// a change on the server shows up in `npm run check:api` (not regenerated) or in `tsc` (regenerated).
// The WebSocket's frames and events are named the same way in realtime.ts.

import type { components } from './api/schema.gen';

type Schemas = components['schemas'];

export type Role = Schemas['Role'];
export type ChosenStatus = Schemas['Status'];
export type Presence = Schemas['Presence'];
export type Cause = Schemas['Cause'];

export type User = Schemas['User'];
export type PauseTypeRef = Schemas['PauseTypeRef'];
export type PauseType = Schemas['PauseType'];
/** The API's `state` object. */
export type OperatorState = Schemas['StateJson'];
/** `GET /api/v1/me`. */
export type Me = Schemas['MeReply'];
export type LoginResponse = Schemas['LoginReply'];
/** An operator as `GET /api/v1/operators` lists them. */
export type TeamMember = Schemas['OperatorJson'];

export type BreakTime = Schemas['BreakSeconds'];
export type StateSummary = Schemas['SummaryJson'];
export type HistoryItem = Schemas['HistoryEntry'];
export type CompanySettings = Schemas['CompanySettings'];

export type Channel = Schemas['Channel'];
export type ChannelSetting = Schemas['ChannelSetting'];
export type Group = Schemas['Group'];
export type GroupStrategy = Schemas['Strategy'];
export type NewGroup = Schemas['NewGroup'];
export type GroupPatch = Schemas['GroupPatch'];

export type ApiKey = Schemas['ApiKey'];
export type Webhook = Schemas['WebhookJson'];
export type WebhookAttempt = Schemas['WebhookAttempt'];
export type CompanyInfo = Schemas['CompanyJson'];
export type Inbox = Schemas['InboxJson'];
export type NewInbox = Schemas['NewInboxBody'];
export type InboxPatch = Schemas['InboxPatch'];
export type MailSecurity = Schemas['MailSecurity'];

/** A user as the admin screens see them: with their channels and groups. */
export type AdminUser = Schemas['UserJson'];
export type NewUser = Schemas['NewUserBody'];
export type UserPatch = Schemas['UserPatch'];
export type ChannelAssignment = Schemas['ChannelAssignment'];

export type SessionStatus = Schemas['SessionStatus'];
export type SessionSource = Schemas['Source'];
export type EndReason = Schemas['EndReason'];
export type ClientInfo = Schemas['ClientInfo'];
export type Session = Schemas['Session'];
/** A returning client's earlier session (`GET /api/v1/sessions/{id}/earlier`). */
export type EarlierSession = Schemas['EarlierSession'];
export type Author = Schemas['Author'];
export type Message = Schemas['Message'];
export type Attachment = Schemas['Attachment'];
export type FileKind = Schemas['FileKind'];
export type AfterChatWork = Schemas['AfterChatWork'];
export type FileTerms = Schemas['ChatFileTerms'];
export type Email = Schemas['Email'];

export type Invitation = Schemas['InvitationJson'];

export type OperatorsReport = Schemas['OperatorsReport'];
export type OperatorBucket = Schemas['OperatorBucket'];
export type QueueReport = Schemas['QueueReport'];
export type QueueHour = Schemas['QueueHour'];

/** `GET /api/v1/wallboard`. */
export type Wallboard = Schemas['Wallboard'];
export type OperatorBoard = Schemas['OperatorBoard'];
export type GroupBoard = Schemas['GroupBoard'];

export type PhoneLineReason = Schemas['LineReason'];
export type PhoneLine = Schemas['PhoneLine'];

export type AlertWhen = Schemas['AlertWhen'];
export type Tone = Schemas['Tone'];
/** One event's alert settings. */
export type EventAlert = Schemas['EventAlert'];
export type NotificationSettings = Schemas['NotificationSettings'];
