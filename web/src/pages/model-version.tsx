import { Page } from '../components/page';

/** Being built: see issue 11. */
export default function ModelVersionPage() {
  return (
    <Page title="ModelVersion">
      <p>This page is not built yet.</p>
    </Page>
  );
}
