/**
 * Recognizes a schema migration tool in a container image and command. Internal: `Gate.job()` refuses
 * a gate that would run one (an analysis runs once per step, may be retried, and may be aborted
 * halfway; a migration belongs in an `ExpandContractJob`).
 */

/** Image repositories of migration tools, by the last path segment of the repository. */
const TOOL_IMAGES: { [repository: string]: string } = {
  'flyway': 'Flyway',
  'liquibase': 'Liquibase',
  'liquibase-secure': 'Liquibase',
  'atlas': 'Atlas',
  'pgroll': 'pgroll',
  'migrate': 'golang-migrate',
  'sqitch': 'Sqitch',
  'dbmate': 'dbmate',
  'goose': 'goose',
};

/** Commands (first word) of migration tools, and commands whose arguments make them one. */
const TOOL_COMMANDS: Array<[RegExp, string]> = [
  [/^(flyway|liquibase|pgroll|sqitch|dbmate|goose)$/, '$1'],
  [/^atlas$/, 'atlas'],
  [/^migrate$/, 'golang-migrate'],
];
const TOOL_ARGUMENTS: Array<[RegExp, string]> = [
  [/\b(?:alembic\s+upgrade|flask\s+db\s+upgrade|prisma\s+migrate\s+deploy|knex\s+migrate:latest|sequelize(?:-cli)?\s+db:migrate|typeorm\s+migration:run|rails\s+db:migrate|rake\s+db:migrate|manage\.py\s+migrate|atlas\s+migrate\s+apply|pgroll\s+(?:start|complete)|flyway\b.*\bmigrate|liquibase\b.*\bupdate)\b/, 'a migration command'],
  [/\bpsql\b.*(?:\s-f\s|--file[=\s])/, 'psql running a SQL file'],
];

/** The migration tool that `image` and `command` run, if any. */
export function migrationToolIn(image: string, command: readonly string[]): string | undefined {
  const repository = image.split('@')[0].replace(/:[^/]*$/, '').split('/').pop() ?? '';
  if (TOOL_IMAGES[repository] !== undefined) return `${TOOL_IMAGES[repository]} (image ${image})`;
  const first = (command[0] ?? '').split('/').pop() ?? '';
  for (const [pattern, name] of TOOL_COMMANDS) {
    if (pattern.test(first)) return `${first.replace(pattern, name)} (command ${command[0]})`;
  }
  const line = command.join(' ');
  for (const [pattern, what] of TOOL_ARGUMENTS) {
    const match = pattern.exec(line);
    if (match) return `${what} (${match[0].trim()})`;
  }
  return undefined;
}
