// Local stack for `opsctl local`: the real ASL on aws-local-stepfunctions, DynamoDB on dynalite.
//
// node tools/local/stack.mjs --definition FILE --substitutions FILE.json --sink http://127.0.0.1:PORT [--retry-interval-ms N] [--dynamo-path DIR]
// node tools/local/stack.mjs [--dynamo-path DIR]      DynamoDB only (opsctl commands that just read or write state)
//
// --dynamo-path keeps dynalite's data on disk (LevelDB) in DIR, so local state outlives one command;
// without it the data lives in memory and is gone at exit.
//
// Protocol (stdout carries only these JSON lines; diagnostics go to stderr):
//   out  {"type":"ready","dynamodbEndpoint":"http://127.0.0.1:PORT"}           once, when dynalite listens
//   in   {"type":"start","id":"…","input":…}                                    one execution each, run concurrently
//   out  {"type":"result","id":"…","status":"SUCCEEDED","output":…,"transitions":N}
//   out  {"type":"result","id":"…","status":"FAILED","error":"…","cause":"…","transitions":N}
//   stdin EOF: wait for running executions, close dynalite, exit 0.
// Lambda Task states go to AWS_ENDPOINT_URL_LAMBDA through the AWS SDK inside aws-local-stepfunctions.
// Service-integration Task states (arn:aws:states:::service:action) POST their effective input to
// `${sink}/local/tasks/{service}/{action}` instead; a non-2xx answer {"error","cause"} fails the task.

import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import dynalite from 'dynalite';
import { StateMachine, ExecutionError, ExecutionTimeoutError } from 'aws-local-stepfunctions';

const SERVICE_INTEGRATION_PREFIX = 'arn:aws:states:::';

// Libraries may print with console.log; stdout belongs to the protocol.
console.log = console.error;
console.info = console.error;

/** Writes one protocol line; pipes are synchronous on Linux, so lines never interleave. */
function emit(message) {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

function fail(message) {
  console.error(`stack.mjs: ${message}`);
  process.exit(2);
}

function readOptions() {
  let parsed;
  try {
    parsed = parseArgs({
      options: {
        definition: { type: 'string' },
        substitutions: { type: 'string' },
        sink: { type: 'string' },
        'retry-interval-ms': { type: 'string' },
        'dynamo-path': { type: 'string' },
      },
      strict: true,
    }).values;
  } catch (error) {
    fail(error.message);
  }
  if (parsed.definition && !parsed.sink) fail('--sink URL is required (service-integration tasks are sent there)');
  let retryIntervalMs;
  if (parsed['retry-interval-ms'] !== undefined) {
    retryIntervalMs = Number(parsed['retry-interval-ms']);
    if (!Number.isInteger(retryIntervalMs) || retryIntervalMs < 0) {
      fail(`--retry-interval-ms must be a non-negative integer, got '${parsed['retry-interval-ms']}'`);
    }
  }
  return {
    definitionFile: parsed.definition,
    substitutionsFile: parsed.substitutions,
    sink: parsed.sink?.replace(/\/+$/, ''),
    retryIntervalMs,
    dynamoPath: parsed['dynamo-path'],
  };
}

/** Replaces every ${Name} like CloudFormation's DefinitionSubstitutions; a missing name is an error, never an empty string. */
function substitute(definitionText, substitutions) {
  const missing = new Set();
  const text = definitionText.replace(/\$\{([A-Za-z0-9_]+)\}/g, (placeholder, name) => {
    if (!Object.hasOwn(substitutions, name)) {
      missing.add(name);
      return placeholder;
    }
    const value = substitutions[name];
    // Placeholders sit inside JSON strings: escape the value as string content.
    return JSON.stringify(typeof value === 'string' ? value : JSON.stringify(value)).slice(1, -1);
  });
  if (missing.size > 0) {
    throw new Error(`missing substitution(s): ${[...missing].join(', ')}`);
  }
  return text;
}

/** Every state at any depth: top level, Map ItemProcessor/Iterator, Parallel branches. */
function* allStates(machine) {
  for (const [name, state] of Object.entries(machine.States ?? {})) {
    yield [name, state];
    if (state.Type === 'Map') yield* allStates(state.ItemProcessor ?? state.Iterator ?? {});
    if (state.Type === 'Parallel') for (const branch of state.Branches ?? []) yield* allStates(branch);
  }
}

class LocalTaskError extends Error {
  constructor(name, cause) {
    super(cause);
    this.name = name;
  }
}

function localTaskHandler(sink, service, action) {
  const url = `${sink}/local/tasks/${encodeURIComponent(service)}/${encodeURIComponent(action)}`;
  return async (input) => {
    let response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(input),
      });
    } catch (error) {
      throw new LocalTaskError('States.TaskFailed', `local sink unreachable at ${url}: ${error.cause?.message ?? error.message}`);
    }
    const body = await response.text();
    if (!response.ok) {
      let error = 'States.TaskFailed';
      let cause = `local sink answered ${response.status} for ${service}:${action}: ${body}`;
      try {
        const parsed = JSON.parse(body);
        if (typeof parsed?.error === 'string' && parsed.error !== '') {
          error = parsed.error;
          cause = typeof parsed.cause === 'string' ? parsed.cause : JSON.stringify(parsed.cause ?? null);
        }
      } catch {
        // Not our JSON error shape: keep the raw body in the cause.
      }
      throw new LocalTaskError(error, cause);
    }
    if (body.trim() === '') return {};
    try {
      return JSON.parse(body);
    } catch {
      throw new LocalTaskError('States.TaskFailed', `local sink answered non-JSON for ${service}:${action}: ${body}`);
    }
  };
}

/** Overrides for aws-local-stepfunctions, keyed by state name (state names are unique across a definition). */
function buildOverrides(machine, sink, retryIntervalMs) {
  const taskResourceLocalHandlers = {};
  const retryIntervalOverrides = {};
  const resources = new Map();
  for (const [name, state] of allStates(machine)) {
    if (resources.has(name)) {
      throw new Error(`state name '${name}' is used twice; overrides are keyed by state name`);
    }
    resources.set(name, state.Resource);
    if (state.Type === 'Task' && typeof state.Resource === 'string' && state.Resource.startsWith(SERVICE_INTEGRATION_PREFIX)) {
      const serviceAction = state.Resource.slice(SERVICE_INTEGRATION_PREFIX.length);
      const separator = serviceAction.indexOf(':');
      if (separator <= 0) throw new Error(`state '${name}': cannot read service:action from ${state.Resource}`);
      taskResourceLocalHandlers[name] = localTaskHandler(sink, serviceAction.slice(0, separator), serviceAction.slice(separator + 1));
    }
    if (retryIntervalMs !== undefined && Array.isArray(state.Retry)) {
      retryIntervalOverrides[name] = retryIntervalMs;
    }
  }
  return { taskResourceLocalHandlers, retryIntervalOverrides };
}

function describeFailure(error) {
  const original = error instanceof ExecutionError ? error.cause : error;
  if (error instanceof ExecutionTimeoutError) {
    return { error: 'States.Timeout', cause: 'the execution exceeded the definition TimeoutSeconds' };
  }
  return {
    error: original?.name ?? 'States.Runtime',
    cause: typeof original?.message === 'string' ? original.message : String(original),
  };
}

/** Step Functions' payload quota: an execution's input and every state's input and output, at most 256 KiB (UTF-8). */
const MAX_PAYLOAD_BYTES = 256 * 1024;

function payloadBytes(value) {
  return value === undefined ? 0 : Buffer.byteLength(JSON.stringify(value) ?? '', 'utf8');
}

/**
 * Transitions as AWS bills them (every state entered, at any depth, plus every retry), and the payload quota, which
 * aws-local-stepfunctions does not enforce: a state whose input or output is over 256 KiB ends the execution with
 * States.DataLimitExceeded, which no Catch can take (as in Step Functions).
 */
async function watchExecution(eventLogs, execution, limit) {
  let transitions = 0;
  for await (const event of eventLogs) {
    if (event.type === 'StateEntered' || event.type === 'StateRetried') transitions++;
    const state = event.state;
    if (!limit.exceeded && state && (payloadBytes(state.input) > MAX_PAYLOAD_BYTES || payloadBytes(state.output) > MAX_PAYLOAD_BYTES)) {
      limit.exceeded = `state '${state.name}': its ${payloadBytes(state.input) > MAX_PAYLOAD_BYTES ? 'input' : 'output'} is larger than ${MAX_PAYLOAD_BYTES} bytes`;
      execution.abort();
    }
  }
  return transitions;
}

async function runExecution(machine, overrides, id, input) {
  if (payloadBytes(input) > MAX_PAYLOAD_BYTES) {
    // StartExecution refuses such an input: nothing runs.
    emit({ type: 'result', id, status: 'FAILED', error: 'States.DataLimitExceeded', cause: `the execution input is larger than ${MAX_PAYLOAD_BYTES} bytes`, transitions: 0 });
    return;
  }
  const limit = { exceeded: null };
  // The context object as Step Functions fills it: each execution has its own name (EventBridge and the Scheduler
  // start executions with a generated one), which the definition reads as $$.Execution.Name.
  const context = { Execution: { Name: id, Id: `arn:aws:states:us-east-1:000000000000:execution:local:${id}` } };
  const execution = machine.run(input, { overrides, context });
  const transitionsCounted = watchExecution(execution.eventLogs, execution, limit);
  try {
    const output = await execution.result;
    emit({ type: 'result', id, status: 'SUCCEEDED', output: output ?? null, transitions: await transitionsCounted });
  } catch (error) {
    const transitions = await transitionsCounted;
    const { error: name, cause } = limit.exceeded ? { error: 'States.DataLimitExceeded', cause: limit.exceeded } : describeFailure(error);
    emit({ type: 'result', id, status: 'FAILED', error: name, cause, transitions });
  }
}

function listen(server) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server.address().port));
  });
}

function close(server) {
  return new Promise((resolve) => {
    // Lingering keep-alive sockets from SDK clients must not hold the exit.
    const giveUp = setTimeout(resolve, 5000);
    server.close((error) => {
      if (error) console.error(`stack.mjs: closing dynalite: ${error.message}`);
      clearTimeout(giveUp);
      resolve();
    });
    server.closeAllConnections?.();
  });
}

function startDynalite(path) {
  return dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0, ...(path ? { path } : {}) });
}

async function main() {
  const options = readOptions();
  // Local runs need no real credentials; the SDK still insists on having some.
  process.env.AWS_REGION ??= 'us-east-1';
  process.env.AWS_ACCESS_KEY_ID ??= 'local';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'local';
  if (!options.definitionFile) {
    // DynamoDB only: serve until stdin closes.
    const dynamo = startDynalite(options.dynamoPath);
    const port = await listen(dynamo);
    emit({ type: 'ready', dynamodbEndpoint: `http://127.0.0.1:${port}` });
    for await (const _ of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
      // nothing is read in this mode; EOF ends it
    }
    await close(dynamo);
    process.exit(0);
  }

  if (!process.env.AWS_ENDPOINT_URL_LAMBDA) {
    console.error('stack.mjs: AWS_ENDPOINT_URL_LAMBDA is not set: Lambda tasks would call real AWS');
  }

  let definition;
  try {
    const substitutions = options.substitutionsFile
      ? JSON.parse(await readFile(options.substitutionsFile, 'utf8'))
      : {};
    if (substitutions === null || typeof substitutions !== 'object' || Array.isArray(substitutions)) {
      throw new Error(`${options.substitutionsFile} must hold a JSON object of name -> value`);
    }
    definition = JSON.parse(substitute(await readFile(options.definitionFile, 'utf8'), substitutions));
  } catch (error) {
    fail(`${options.definitionFile}: ${error.message}`);
  }

  let machine;
  let overrides;
  try {
    // ARN syntax is not checked so a local caller may name functions plainly; AWS checks it at deploy.
    machine = new StateMachine(definition, { validationOptions: { checkArn: false } });
    overrides = buildOverrides(definition, options.sink, options.retryIntervalMs);
  } catch (error) {
    fail(error.message);
  }

  const dynamo = startDynalite(options.dynamoPath);
  const port = await listen(dynamo);
  emit({ type: 'ready', dynamodbEndpoint: `http://127.0.0.1:${port}` });

  const running = new Set();
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of lines) {
    if (line.trim() === '') continue;
    let request;
    try {
      request = JSON.parse(line);
    } catch (error) {
      console.error(`stack.mjs: ignoring a line that is not JSON (${error.message}): ${line}`);
      continue;
    }
    if (request?.type !== 'start' || typeof request.id !== 'string') {
      console.error(`stack.mjs: ignoring a line that is not {"type":"start","id":"<string>","input":…}: ${line}`);
      if (typeof request?.id === 'string') {
        emit({ type: 'result', id: request.id, status: 'FAILED', error: 'LocalStack.BadRequest', cause: 'expected {"type":"start","id":"<string>","input":…}', transitions: 0 });
      }
      continue;
    }
    // Step Functions starts an execution with {} when no input is given.
    const run = runExecution(machine, overrides, request.id, request.input === undefined ? {} : request.input);
    running.add(run);
    run.finally(() => running.delete(run));
  }

  await Promise.allSettled([...running]);
  await close(dynamo);
  process.exit(0);
}

await main();
