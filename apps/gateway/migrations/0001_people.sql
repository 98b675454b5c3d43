-- Edited after drizzle-kit generate: foreign keys name "users" without "public." so the migration follows
-- search_path like 0000_init does (the PostgreSQL tests migrate one schema per test).
CREATE TABLE "cli_grants" (
	"code_hash" text PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"user_code" text,
	"code_challenge" text,
	"device_name" text NOT NULL,
	"user_id" uuid,
	"status" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"last_polled_at" timestamp with time zone,
	CONSTRAINT "cli_grants_user_code_key" UNIQUE("user_code"),
	CONSTRAINT "cli_grants_kind_check" CHECK ("cli_grants"."kind" IN ('loopback', 'device')),
	CONSTRAINT "cli_grants_status_check" CHECK ("cli_grants"."status" IN ('pending', 'approved', 'denied', 'consumed'))
);
--> statement-breakpoint
CREATE TABLE "sessions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"token_hash" text NOT NULL,
	"channel" text NOT NULL,
	"device_name" text NOT NULL,
	"ip" text,
	"user_agent" text,
	"created_at" timestamp with time zone NOT NULL,
	"last_seen_at" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"revoked_at" timestamp with time zone,
	"revoked_reason" text,
	CONSTRAINT "sessions_token_hash_key" UNIQUE("token_hash"),
	CONSTRAINT "sessions_channel_check" CHECK ("sessions"."channel" IN ('web', 'cli'))
);
--> statement-breakpoint
CREATE TABLE "sign_in_attempts" (
	"state_hash" text PRIMARY KEY NOT NULL,
	"nonce" text NOT NULL,
	"code_verifier" text NOT NULL,
	"flow" text NOT NULL,
	"return_to" text NOT NULL,
	"cli_code_challenge" text,
	"device_name" text,
	"created_at" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	CONSTRAINT "sign_in_attempts_flow_check" CHECK ("sign_in_attempts"."flow" IN ('web', 'cli-loopback', 'device'))
);
--> statement-breakpoint
CREATE TABLE "users" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"email" text NOT NULL,
	"name" text NOT NULL,
	"grants" jsonb NOT NULL,
	"grants_source" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"created_by" text NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	"locked_at" timestamp with time zone,
	"locked_reason" text,
	"locked_by" text,
	"last_sign_in_at" timestamp with time zone,
	CONSTRAINT "users_email_key" UNIQUE("email"),
	CONSTRAINT "users_grants_source_check" CHECK ("users"."grants_source" IN ('env', 'admin'))
);
--> statement-breakpoint
ALTER TABLE "cli_grants" ADD CONSTRAINT "cli_grants_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "cli_grants_expires_at_idx" ON "cli_grants" USING btree ("expires_at");--> statement-breakpoint
CREATE INDEX "cli_grants_user_id_idx" ON "cli_grants" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "sessions_user_id_idx" ON "sessions" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "sign_in_attempts_expires_at_idx" ON "sign_in_attempts" USING btree ("expires_at");--> statement-breakpoint
CREATE UNIQUE INDEX "users_email_lower_key" ON "users" USING btree (lower("email"));