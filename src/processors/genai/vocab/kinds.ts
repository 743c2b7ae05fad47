/** Span kinds of OpenInference, Dify's Aliyun (`gen_ai.span.kind`) and Tencent shapes → canonical. */
export const KIND_TO_CANONICAL: Record<string, { operation?: string; spanType?: string }> = {
  LLM: { operation: 'chat' },
  GENERATION: { operation: 'chat' },
  EMBEDDING: { operation: 'embeddings' },
  TOOL: { operation: 'execute_tool' },
  RETRIEVER: { operation: 'retrieval', spanType: 'tool' },
  RERANKER: { operation: 'retrieval', spanType: 'tool' },
  AGENT: { operation: 'invoke_agent' },
  GUARDRAIL: { operation: 'apply_guardrail' },
  WORKFLOW: { operation: 'invoke_workflow' },
};
