import { Page } from '../components/page';

/** Being built: see issue 11. */
export default function ModelDiffPage() {
  return (
    <Page title="ModelDiff">
      <p>This page is not built yet.</p>
    </Page>
  );
}
