import { Page } from '../components/page';

/** Being built: see issue 11. */
export default function JobPage() {
  return (
    <Page title="Job">
      <p>This page is not built yet.</p>
    </Page>
  );
}
