/**
 * Opik's OTLP attribute rules (reference/opik.md §2, "Recognised attribute keys at U"), in rule-set
 * order: Logfire, GenAI, OpenInference, LiveKit, Pydantic, LiteLLM, General, Smolagents,
 * LangFuse. The first matching rule wins; an attribute no rule matches goes to input. The Claude
 * Code rules (spans named `claude_code.*`) are left out: no span of this project is one. The 2.2
 * differences are switched by `RuleOptions`.
 */
export type Outcome =
  | 'INPUT'
  | 'OUTPUT'
  | 'METADATA'
  | 'MODEL'
  | 'PROVIDER'
  | 'USAGE'
  | 'COST'
  | 'TAGS'
  | 'THREAD_ID'
  | 'PROVIDER_NAME'
  | 'DROP';

export interface Rule {
  readonly rule: string;
  readonly prefix: boolean;
  readonly outcome: Outcome;
  readonly spanType?: 'llm' | 'tool';
}

const exact =
  (outcome: Outcome, spanType?: 'llm' | 'tool') =>
  (...keys: string[]) =>
    keys.map((rule): Rule => ({ rule, prefix: false, outcome, spanType }));
const prefix =
  (outcome: Outcome, spanType?: 'llm' | 'tool') =>
  (...keys: string[]) =>
    keys.map((rule): Rule => ({ rule, prefix: true, outcome, spanType }));

const LOGFIRE: Rule[] = [
  ...exact('METADATA')('agent_name'),
  ...exact('INPUT')('all_messages'),
  ...exact('DROP')('logfire.span_type', 'logfire.metrics'),
  ...exact('METADATA')('model_name'),
  ...exact('INPUT')('params'),
  ...exact('INPUT', 'llm')('prompt'),
  ...exact('OUTPUT')('response', 'result', 'final_result', 'tool_responses'),
  ...exact('INPUT')('tools', 'tool_arguments'),
  ...exact('OUTPUT')('tool_response'),
  ...exact('USAGE', 'llm')('usage'),
];

function genAi(toolCallType: boolean, providerName: boolean): Rule[] {
  return [
    ...exact('INPUT')('gen_ai.prompt'),
    ...exact('OUTPUT')('gen_ai.completion'),
    ...exact('MODEL', 'llm')(
      'gen_ai.request_model',
      'gen_ai.response_model',
      'gen_ai.request.model',
      'gen_ai.response.model',
    ),
    ...exact('METADATA', 'llm')('gen_ai.request.temperature', 'gen_ai.response.id'),
    ...exact('METADATA')('gen_ai.response.finish_reasons'),
    ...exact('PROVIDER', 'llm')('gen_ai.system'),
    ...exact('COST', 'llm')('gen_ai.usage.cost'),
    ...prefix('USAGE', 'llm')('gen_ai.usage.'),
    ...prefix('INPUT', 'llm')('gen_ai.input.'),
    ...prefix('OUTPUT', 'llm')('gen_ai.output.'),
    ...exact('INPUT', 'llm')('gen_ai.system_instructions'),
    ...prefix('METADATA', 'llm')('gen_ai.cost.'),
    // 2.2.0: these also set the span type `tool`.
    ...exact('INPUT', toolCallType ? 'tool' : undefined)('gen_ai.tool.call.arguments'),
    ...exact('OUTPUT', toolCallType ? 'tool' : undefined)('gen_ai.tool.call.result'),
    ...prefix('METADATA')('gen_ai.tool.', 'gen_ai.agent.'),
    ...exact('METADATA')('gen_ai.token.type', 'gen_ai.framework', 'gen_ai.operation.name'),
    ...prefix('INPUT')('gen_ai.request.'),
    ...prefix('OUTPUT')('gen_ai.response'),
    ...exact('THREAD_ID')('gen_ai.conversation.id'),
    // PR #7909 (2.2.x): used only when `gen_ai.system` is blank (attribute-mapper.ts).
    ...(providerName ? exact('PROVIDER_NAME', 'llm')('gen_ai.provider.name') : []),
  ];
}

const OPENINFERENCE: Rule[] = [
  // The literal ".*" is part of Opik's prefix, so this rule never matches a real key.
  ...prefix('INPUT', 'llm')('llm.invocation_parameters.*'),
  ...exact('MODEL', 'llm')('llm.model_name'),
  ...prefix('USAGE', 'llm')('llm.token_count.'),
];

const LIVEKIT: Rule[] = [
  ...exact('METADATA')(
    'livekit.session.id',
    'lk.agent_label',
    'lk.speech_id',
    'lk.interrupted',
    'lk.retry_count',
    'lk.llm_metrics',
    'lk.tts_metrics',
    'lk.tts.streaming',
    'lk.tts.label',
    'lk.transcript_confidence',
    'lk.transcription_delay',
    'lk.end_of_turn_delay',
    'lk.eou.probability',
    'lk.eou.unlikely_threshold',
    'lk.eou.endpointing_delay',
    'lk.eou.language',
  ),
  ...exact('INPUT')(
    'lk.input_text',
    'lk.chat_ctx',
    'lk.function_tools',
    'lk.user_input',
    'lk.user_transcript',
  ),
  ...exact('OUTPUT')('lk.response.text', 'lk.response.function_calls'),
  ...exact('METADATA', 'tool')('lk.function_tool.name', 'lk.function_tool.is_error'),
  ...exact('INPUT', 'tool')('lk.function_tool.arguments'),
  ...exact('OUTPUT', 'tool')('lk.function_tool.output'),
];

const PYDANTIC: Rule[] = [
  ...exact('METADATA')('logfire.msg'),
  ...exact('DROP')('logfire.msg_template', 'logfire.json_schema', 'logfire.level_num'),
  ...prefix('METADATA')('code.'),
];

const LITELLM: Rule[] = [
  ...exact('METADATA')('llm.is_streaming', 'llm.user', 'hidden_params'),
  ...prefix('METADATA')('llm.request.', 'llm.response.', 'metadata.'),
];

/** `withIdOverrides` false models an Opik before 2.1, which has no rule for the `opik.*` ids. */
function general(withIdOverrides: boolean): Rule[] {
  return [
    ...prefix('INPUT')('input'),
    ...prefix('OUTPUT')('output'),
    ...exact('METADATA')('server.address'),
    ...exact('THREAD_ID')('thread_id'),
    ...exact('TAGS')('opik.tags'),
    ...prefix('METADATA')('opik.metadata'),
    ...(withIdOverrides
      ? exact('DROP')('opik.trace_id', 'opik.parent_span_id', 'opik.span_id')
      : []),
  ];
}

const TAIL: Rule[] = [
  ...prefix('METADATA')('smolagents.'),
  ...exact('METADATA', 'llm')('langfuse.observation.completion_start_time'),
];

export interface RuleOptions {
  /** false models an Opik before 2.1, which has no rule for the `opik.*` ids. */
  readonly idOverrides: boolean;
  readonly toolCallType: boolean;
  readonly providerName: boolean;
}

export function ruleList(o: RuleOptions): Rule[] {
  return [
    ...LOGFIRE,
    ...genAi(o.toolCallType, o.providerName),
    ...OPENINFERENCE,
    ...LIVEKIT,
    ...PYDANTIC,
    ...LITELLM,
    ...general(o.idOverrides),
    ...TAIL,
  ];
}

export function findRule(rules: readonly Rule[], key: string): Rule | undefined {
  return rules.find((r) => (r.prefix ? key.startsWith(r.rule) : key === r.rule));
}
