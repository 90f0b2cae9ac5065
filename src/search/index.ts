/** Transcript search through keyed blind indexes (docs/search-and-reports.md). */

/** The background indexer: tails new messages, re-indexes changed ones, resumes after restart. */
export type { IndexerOptions, IndexerStats } from './indexer.js'
export { SearchIndexer } from './indexer.js'
/** HTTP route of search (`GET /api/v1/search`). */
export { searchRoutes } from './search.plugin.js'
export type { SearchResult, SearchServiceOptions } from './search-service.js'
/** Search for agents, filtered by the conversation access policy; owns the keys and the indexer. */
export { MAX_QUERY_WORDS, SearchService } from './search-service.js'
/** Windowing a message around its first hit. */
export { SNIPPET_LENGTH, snippetAround } from './snippet.js'
/** Normalising and blinding words: the same for messages and queries. */
export {
  blindTerm,
  secretFingerprint,
  TERM_BYTES,
  tenantSearchKey,
  tokenizeForIndex,
  wordsOf,
} from './terms.js'
