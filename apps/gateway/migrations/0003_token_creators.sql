ALTER TABLE "api_tokens" ADD COLUMN "created_by_user_id" uuid;--> statement-breakpoint
ALTER TABLE "api_tokens" ADD COLUMN "created_by_token_id" uuid;--> statement-breakpoint
-- Tokens people made before this migration name them only by email (created_by): bind those to the person now.
UPDATE "api_tokens" SET "created_by_user_id" = "users"."id" FROM "users" WHERE "api_tokens"."created_by" = "users"."email";
