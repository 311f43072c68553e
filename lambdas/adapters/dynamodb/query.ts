import { paginateQuery, type DynamoDBDocumentClient, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';

/**
 * The items a query matches, read page by page with lib-dynamodb's paginator: all of them, or the
 * first `wanted` (pages of that size, so a short listing reads one page).
 */
export async function queryItems(
  documents: DynamoDBDocumentClient,
  input: QueryCommandInput,
  wanted = Number.POSITIVE_INFINITY,
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  const pages = paginateQuery({ client: documents, ...(Number.isFinite(wanted) ? { pageSize: wanted } : {}) }, input);
  for await (const page of pages) {
    items.push(...((page.Items ?? []) as Record<string, unknown>[]));
    if (items.length >= wanted) break;
  }
  return items.slice(0, wanted);
}
