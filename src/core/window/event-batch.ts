/**
 * A batch of decoded events from one partition, laid out by column. Rows are in offset order.
 * Numeric features are Float64 with a separate validity byte per row (1 = value present, 0 = null), because a null
 * and a NaN are different facts that the statistics report apart. Categorical values are the decoded strings (null for
 * a missing value); they are interned into dictionary codes when appended to a window.
 */
export interface EventBatch {
  readonly partition: number;
  /** More events were already waiting on the partition when this batch was read (consumer lag > 0). */
  readonly lagging?: boolean;
  readonly length: number;
  readonly offsets: Float64Array;
  readonly eventTimes: Float64Array;
  readonly numeric: readonly Float64Array[];
  readonly numericValid: readonly Uint8Array[];
  readonly categorical: readonly (readonly (string | null)[])[];
  /** Model name and version of each row, as decoded (no per-row concatenation). */
  readonly modelNames: readonly string[];
  readonly modelVersions: readonly string[];
  /** Each row's segment field value (null when missing), when the topology has segments. */
  readonly segments?: readonly (string | null)[] | null;
  /**
   * Per feature in layout order (numeric, then categorical), 1 where the row's value had the wrong type and was kept
   * as missing (data-quality `onTypeMismatch: count`). Absent or null when no row of the batch had one, which is the
   * common case and costs nothing downstream.
   */
  readonly typeMismatches?: readonly Uint8Array[] | null;
}

/** Names of the monitored features by kind, in the order their columns appear in batches and chunks. */
export interface ColumnLayout {
  readonly numeric: readonly string[];
  readonly categorical: readonly string[];
}
