/** The batch endpoint's answer: the OpenLineage spec's shape, with Pedigree's details. */
export interface BatchAnswer {
  status: 'success' | 'partial_success';
  summary: { received: number; successful: number; failed: number; retriable: number; non_retriable: number };
  failed_events: {
    index: number;
    line?: number;
    status: number;
    reason: string;
    retriable: boolean;
    errors: { pointer: string; message: string }[];
  }[];
  warnings: { pointer: string; message: string; count: number; firstIndex: number }[];
}
