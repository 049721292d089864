import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import {
  addOrganizationMember,
  createAgent,
  createApiKey,
  createOrganization,
  createUser,
  deleteAgent,
  deleteUser,
  listAgents,
  listAllOrganizations,
  listApiKeys,
  listUsers,
  removeOrganizationMember,
  revokeApiKey,
  setApiKeyRateLimit,
} from "../index";
import { type KeyRateLimit, MAX_KEY_RATE_LIMIT, parseKeyRateLimit } from "../rateLimit/budget";
import { runAdminCommand } from "./run";

const program = new Command("cli")
  .description("Administer users, organizations, agents and API keys of the block-list service.")
  .showHelpAfterError()
  .exitOverride();

const jsonOption = () => new Option("--json", "print one JSON object on stdout and nothing else");

// Commander turns a parser's null (`default`) into "", so the budget travels wrapped.
interface RateLimitChoice {
  rateLimit: KeyRateLimit;
}

const rateLimitOption = () =>
  new Option(
    "--rate-limit <units>",
    "the key's own budget of cost units per rate-limit window: a whole number, unlimited, or default " +
      "(RATE_LIMIT_REQUESTS)",
  ).argParser((text): RateLimitChoice => {
    const rateLimit = parseKeyRateLimit(text);
    if (rateLimit === undefined) {
      throw new InvalidArgumentError(
        `expected a whole number from 1 to ${MAX_KEY_RATE_LIMIT}, unlimited or default.`,
      );
    }
    return { rateLimit };
  });

const user = program.command("user").description("manage users");
user
  .command("create")
  .description("create a user with a personal organization and a read-write API key")
  .requiredOption("--name <name>", "display name")
  .addOption(jsonOption())
  .action((options: { name: string; json?: boolean }) =>
    runAdminCommand(options, (db) => createUser(db, options.name)),
  );
user
  .command("list")
  .description("list every user with the organizations they belong to")
  .addOption(jsonOption())
  .action((options: { json?: boolean }) => runAdminCommand(options, (db) => listUsers(db)));
user
  .command("delete")
  .description(
    "delete a user and their keys (refused everywhere within a second), and each organization they were the " +
      "only member of if it has no agents; refused while such an organization has agents",
  )
  .requiredOption("--uid <uid>", "user id")
  .addOption(jsonOption())
  .action((options: { uid: string; json?: boolean }) =>
    runAdminCommand(options, (db) => deleteUser(db, options.uid)),
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
  .command("list")
  .description("list every organization with its members and how many agents it has")
  .addOption(jsonOption())
  .action((options: { json?: boolean }) => runAdminCommand(options, (db) => listAllOrganizations(db)));
org
  .command("add-member")
  .description("add a user to an organization")
  .requiredOption("--org <orgId>", "organization id")
  .requiredOption("--uid <uid>", "user id")
  .addOption(jsonOption())
  .action((options: { org: string; uid: string; json?: boolean }) =>
    runAdminCommand(options, (db) => addOrganizationMember(db, { orgId: options.org, uid: options.uid })),
  );
org
  .command("remove-member")
  .description("remove a user from an organization; refused for its last member")
  .requiredOption("--org <orgId>", "organization id")
  .requiredOption("--uid <uid>", "user id")
  .addOption(jsonOption())
  .action((options: { org: string; uid: string; json?: boolean }) =>
    runAdminCommand(options, (db) => removeOrganizationMember(db, { orgId: options.org, uid: options.uid })),
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
agent
  .command("list")
  .description("list agents: all, those of an organization (--org), those a user may manage (--uid)")
  .option("--org <orgId>", "only this organization's agents")
  .option("--uid <uid>", "only agents of the organizations this user belongs to")
  .addOption(jsonOption())
  .action((options: { org?: string; uid?: string; json?: boolean }) =>
    runAdminCommand(options, (db) =>
      listAgents(db, {
        ...(options.org === undefined ? {} : { orgId: options.org }),
        ...(options.uid === undefined ? {} : { uid: options.uid }),
      }),
    ),
  );
agent
  .command("delete")
  .description("delete an agent and its whole block list")
  .requiredOption("--agent-id <agentId>", "agent id")
  .addOption(jsonOption())
  .action((options: { agentId: string; json?: boolean }) =>
    runAdminCommand(options, (db) => deleteAgent(db, options.agentId)),
  );

const key = program.command("key").description("manage API keys");
key
  .command("create")
  .description("create an API key; the secret is shown once")
  .requiredOption("--uid <uid>", "user id")
  .option("--read-only", "the key may list but not change block lists")
  .addOption(rateLimitOption())
  .addOption(jsonOption())
  .action((options: { uid: string; readOnly?: boolean; rateLimit?: RateLimitChoice; json?: boolean }) =>
    runAdminCommand(options, (db) =>
      createApiKey(db, {
        uid: options.uid,
        readOnly: options.readOnly === true,
        rateLimit: options.rateLimit?.rateLimit ?? null,
      }),
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
key
  .command("set-rate-limit")
  .description("give a key its own budget (or the default back); every instance applies it within a second")
  .requiredOption("--key-id <keyId>", "key id")
  .addOption(rateLimitOption().makeOptionMandatory())
  .addOption(jsonOption())
  .action((options: { keyId: string; rateLimit: RateLimitChoice; json?: boolean }) =>
    runAdminCommand(options, (db) => setApiKeyRateLimit(db, options.keyId, options.rateLimit.rateLimit)),
  );

try {
  await program.parseAsync(process.argv);
} catch (error) {
  // Commander has already printed its own message (unknown command, missing option) on stderr.
  process.exitCode = error instanceof CommanderError ? error.exitCode || 1 : 1;
}
