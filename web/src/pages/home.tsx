import { Page } from '../components/page';

/** Being built: see issue 11. */
export function Home() {
  return (
    <Page title="Pedigree">
      <p>This page is not built yet.</p>
    </Page>
  );
}
