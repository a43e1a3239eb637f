import { describe, expect, it } from 'vitest';
import { olDatasetName, uriName } from '../src/tracking/dataset-naming';

const named = (sourceType: string, source: unknown, name = 'ds') =>
  olDatasetName({ name, sourceType, source: typeof source === 'string' ? source : JSON.stringify(source), experimentId: '7' });

/** https://openlineage.io/docs/spec/naming, applied to MLflow's dataset sources. */
describe('MLflow dataset sources as OpenLineage datasets', () => {
  it.each([
    ['s3://bucket/users/v3.0/', 's3://bucket', 'users/v3.0'],
    ['s3a://bucket/a/b.parquet', 's3://bucket', 'a/b.parquet'],
    ['s3://bucket', 's3://bucket', '/'],
    ['gs://bucket/dir/file.csv', 'gs://bucket', 'dir/file.csv'],
    ['abfss://container@account.dfs.core.windows.net/raw/orders', 'abfss://container@account.dfs.core.windows.net', 'raw/orders'],
    ['wasbs://container@account.blob.core.windows.net/x/y', 'wasbs://container@account.blob.core.windows.net', 'x/y'],
    ['hdfs://namenode:8020/warehouse/t1/', 'hdfs://namenode:8020', '/warehouse/t1'],
    ['file:///tmp/data/train.csv', 'file', '/tmp/data/train.csv'],
    ['file:/tmp/data', 'file', '/tmp/data'],
    ['file://localhost/tmp/x', 'file', '/tmp/x'],
    ['file://nas01/share/x', 'file://nas01', '/share/x'],
    ['/home/me/data.csv', 'file', '/home/me/data.csv'],
    ['dbfs:/mnt/raw/orders', 'dbfs', '/mnt/raw/orders'],
    ['mlflow-artifacts:/1/abc/artifacts/data.csv', 'mlflow-artifacts', '/1/abc/artifacts/data.csv'],
    ['https://example.com/data/iris.csv?raw=1', 'https://example.com', '/data/iris.csv?raw=1'],
    ['bq://proj.dataset.table', 'bigquery', 'proj.dataset.table'],
    ['bigquery://proj/dataset/table', 'bigquery', 'proj.dataset.table'],
    ['postgres://db:5432/shop', 'postgres://db:5432', '/shop'],
  ])('%s -> %s , %s', (uri, namespace, name) => {
    expect(uriName(uri)).toEqual({ namespace, name });
  });

  it('relative paths and bare words name nothing global', () => {
    expect(uriName('data/train.csv')).toBeUndefined();
    expect(uriName('')).toBeUndefined();
    expect(uriName('s3://')).toBeUndefined();
  });

  it('artifact sources: {"uri"} whatever the type', () => {
    expect(named('s3', { uri: 's3://warehouse/users/v3.0/' })).toEqual({ namespace: 's3://warehouse', name: 'users/v3.0' });
    expect(named('local', { uri: '/data/train.parquet' })).toEqual({ namespace: 'file', name: '/data/train.parquet' });
    expect(named('gs', { uri: 'gs://b/k' })).toEqual({ namespace: 'gs://b', name: 'k' });
  });

  it('http: {"url"}', () => {
    expect(named('http', { url: 'https://raw.githubusercontent.com/o/r/main/iris.csv' })).toEqual({
      namespace: 'https://raw.githubusercontent.com',
      name: '/o/r/main/iris.csv',
    });
  });

  it('delta_table: the path, or the table (Unity Catalog by flag or by its three parts); both: the path with the table as a symlink', () => {
    expect(named('delta_table', { path: 's3://lake/orders', delta_table_version: 12 })).toEqual({ namespace: 's3://lake', name: 'orders' });
    expect(named('delta_table', { delta_table_name: 'main.sales.orders', delta_table_version: 12 })).toEqual({
      namespace: 'unity-catalog',
      name: 'main.sales.orders',
    });
    expect(named('delta_table', { delta_table_name: 'sales.orders', is_databricks_uc_table: true })).toEqual({
      namespace: 'unity-catalog',
      name: 'sales.orders',
    });
    expect(named('delta_table', { path: 'dbfs:/lake/orders', delta_table_name: 'hive_metastore.sales.orders' })).toEqual({
      namespace: 'dbfs',
      name: '/lake/orders',
      symlinks: [{ namespace: 'mlflow://spark', name: 'hive_metastore.sales.orders', type: 'TABLE' }],
    });
  });

  it('spark: {"path"}, {"table_name"}; a query names nothing', () => {
    expect(named('spark', { path: 'hdfs://nn:8020/data/orders' })).toEqual({ namespace: 'hdfs://nn:8020', name: '/data/orders' });
    expect(named('spark', { table_name: 'main.default.orders' })).toEqual({ namespace: 'unity-catalog', name: 'main.default.orders' });
    expect(named('spark', { table_name: 'default.orders' })).toEqual({ namespace: 'mlflow://spark', name: 'default.orders' });
    expect(named('spark', { sql: 'select * from t' }, 'q')).toEqual({ namespace: 'mlflow://spark', name: 'experiments/7/q' });
  });

  it('hugging_face: a Hub dataset by its page; a packaged builder by its data files', () => {
    expect(named('hugging_face', { path: 'stanfordnlp/imdb', split: 'train', revision: 'abc' })).toEqual({
      namespace: 'https://huggingface.co',
      name: '/datasets/stanfordnlp/imdb',
    });
    expect(named('hugging_face', { path: 'csv', data_files: 's3://b/train.csv' })).toEqual({ namespace: 's3://b', name: 'train.csv' });
    expect(named('hugging_face', { path: 'csv', data_files: ['a.csv'] }, 'hf')).toEqual({
      namespace: 'mlflow://hugging_face',
      name: 'experiments/7/hf',
    });
  });

  it('uc_volume: under DBFS', () => {
    expect(named('uc_volume', { path: '/Volumes/main/raw/files/orders.csv' })).toEqual({
      namespace: 'dbfs',
      name: '/Volumes/main/raw/files/orders.csv',
    });
  });

  it('bigquery by table', () => {
    expect(named('bigquery', { table: 'proj:dataset.table' })).toEqual({ namespace: 'bigquery', name: 'proj.dataset.table' });
  });

  it('no location (code, an unknown type, a source that is not JSON): mlflow://<source_type>, by experiment and name', () => {
    expect(named('code', { tags: { 'mlflow.source.name': 'train.py' } }, 'dataset')).toEqual({
      namespace: 'mlflow://code',
      name: 'experiments/7/dataset',
    });
    expect(named('My Source', 'not json', 'x')).toEqual({ namespace: 'mlflow://my_source', name: 'experiments/7/x' });
    expect(named('local', { uri: 'relative/dir' }, 'rel')).toEqual({ namespace: 'mlflow://local', name: 'experiments/7/rel' });
  });
});
