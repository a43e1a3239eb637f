import { Page } from '../components/page';

/** Being built: see issue 11. */
export default function ModelsPage() {
  return (
    <Page title="Models">
      <p>This page is not built yet.</p>
    </Page>
  );
}
