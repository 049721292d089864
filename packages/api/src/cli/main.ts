import { Command, CommanderError, Option } from "commander";
import {
  addOrganizationMember,
  createAgent,
  createApiKey,
  createOrganization,
  createUser,
  listApiKeys,
  revokeApiKey,
} from "../index";
import { runAdminCommand } from "./run";

const program = new Command("cli")
  .description("Administer users, organizations, agents and API keys of the block-list service.")
  .showHelpAfterError()
  .exitOverride();

const jsonOption = () => new Option("--json", "print one JSON object on stdout and nothing else");

const user = program.command("user").description("manage users");
user
  .command("create")
  .description("create a user with a personal organization and a read-write API key")
  .requiredOption("--name <name>", "display name")
  .addOption(jsonOption())
  .action((options: { name: string; json?: boolean }) =>
    runAdminCommand(options, (db) => createUser(db, options.name)),
  );

const org = program.command("org").description("manage organizations");
org
  .command("create")
  .description("create an organization")
  .requiredOption("--name <name>", "display name")
  .addOption(jsonOption())
  .action((options: { name: string; json?: boolean }) =>
    runAdminCommand(options, (db) => createOrganization(db, options.name)),
  );
org
  .command("add-member")
  .description("add a user to an organization")
  .requiredOption("--org <orgId>", "organization id")
  .requiredOption("--uid <uid>", "user id")
  .addOption(jsonOption())
  .action((options: { org: string; uid: string; json?: boolean }) =>
    runAdminCommand(options, (db) => addOrganizationMember(db, { orgId: options.org, uid: options.uid })),
  );

const agent = program.command("agent").description("manage agents");
agent
  .command("create")
  .description("create an agent, in the user's personal organization unless --org is given")
  .requiredOption("--uid <uid>", "user id")
  .requiredOption("--name <name>", "display name")
  .option("--org <orgId>", "organization id (the user must be a member)")
  .addOption(jsonOption())
  .action((options: { uid: string; name: string; org?: string; json?: boolean }) =>
    runAdminCommand(options, (db) =>
      createAgent(db, {
        uid: options.uid,
        name: options.name,
        ...(options.org ? { orgId: options.org } : {}),
      }),
    ),
  );

const key = program.command("key").description("manage API keys");
key
  .command("create")
  .description("create an API key; the secret is shown once")
  .requiredOption("--uid <uid>", "user id")
  .option("--read-only", "the key may list but not change block lists")
  .addOption(jsonOption())
  .action((options: { uid: string; readOnly?: boolean; json?: boolean }) =>
    runAdminCommand(options, (db) =>
      createApiKey(db, { uid: options.uid, readOnly: options.readOnly === true }),
    ),
  );
key
  .command("revoke")
  .description("revoke an API key at once")
  .requiredOption("--key-id <keyId>", "key id")
  .addOption(jsonOption())
  .action((options: { keyId: string; json?: boolean }) =>
    runAdminCommand(options, (db) => revokeApiKey(db, options.keyId)),
  );
key
  .command("list")
  .description("list a user's API keys (never their secrets)")
  .requiredOption("--uid <uid>", "user id")
  .addOption(jsonOption())
  .action((options: { uid: string; json?: boolean }) =>
    runAdminCommand(options, (db) => listApiKeys(db, options.uid)),
  );

try {
  await program.parseAsync(process.argv);
} catch (error) {
  // Commander has already printed its own message (unknown command, missing option) on stderr.
  process.exitCode = error instanceof CommanderError ? error.exitCode || 1 : 1;
}
