import { type Span, SpanKind } from '../../../pdata/traces.js';
import { type EnvelopeContext, errorText, metadataOf, timingOf } from './envelope.js';
import { field, singleDataset } from './node-kind.js';
import { messageScope, scopedSpan } from './scope.js';

/** DatasetRetrievalTraceInfo: one `dataset_retrieval` span, the query in, the documents out. */
export function datasetRetrievalSpans(ctx: EnvelopeContext): Span[] {
  const { info } = ctx;
  const docs = info.optArray('documents') ?? [];
  const error = errorText(info);
  return [
    scopedSpan(messageScope(ctx), {
      name: 'dataset_retrieval',
      seedKind: 'dataset_retrieval',
      kind: SpanKind.CLIENT,
      ...timingOf(info),
      genAi: { operation: 'retrieval', spanType: 'tool', dataSourceId: singleDataset(docs) },
      input: info.raw('inputs'),
      output: { documents: docs.map(document) },
      tags: ['dataset_retrieval'],
      metadata: metadataOf(info),
      error: error ? { type: 'RetrievalError', message: error } : undefined,
    }),
  ];
}

/** A `Document.model_dump()` as a reader wants it: content, score, metadata (no vector). */
function document(doc: unknown) {
  const metadata = field(doc, 'metadata');
  return {
    content: field(doc, 'page_content'),
    score: field(metadata, 'score'),
    metadata,
    provider: field(doc, 'provider'),
  };
}
